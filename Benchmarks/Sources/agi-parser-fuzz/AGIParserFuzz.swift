import AGI
import NIOCore

/// Feeds arbitrary bytes to the AGI decoder the way the FastAGI server does (environment, then
/// answers), and to the answer and command-word parsers directly. Any crash, trap or hang is a bug;
/// typed errors are the expected outcome for garbage.
func fuzzAGIParsers(_ bytes: UnsafeRawBufferPointer) {
    var decoder = AGIInboundDecoder(maximumLineLength: 512, maximumEnvironmentLines: 64)
    var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
    buffer.writeBytes(bytes)
    while true {
        do {
            guard try decoder.decode(buffer: &buffer) != nil else { break }
        } catch {
            break
        }
    }
    let text = String(decoding: bytes, as: UTF8.self)
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        _ = try? AGIResponse(parsing: line)
        let words = AGICommand.asteriskWords(of: line)
        if let command = try? AGICommand(words.map { .argument($0) }) {
            // Whatever we quote must read back as the same words in Asterisk's parser.
            precondition(AGICommand.asteriskWords(of: command.line[...]) == words, "quoting does not round-trip: \(command.line)")
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzAGIParsers(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

// SwiftPM links an executable's entry point under the module's name; hand it to libFuzzer's driver.
@_cdecl("agi_parser_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzerTestOneInput)
}
#else
import Foundation

/// Without the fuzzer: runs the parsers over the files named on the command line, to replay a
/// corpus or a crash the fuzzer found.
@main
struct AGIParserFuzzReplay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            data.withUnsafeBytes { fuzzAGIParsers($0) }
        }
        print("replayed \(CommandLine.arguments.count - 1) inputs without a crash")
    }
}
#endif
