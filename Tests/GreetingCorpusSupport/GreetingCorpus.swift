// The greeting corpus for the tests and for greeting-bench: built by scripts/greeting-corpus into
// the build folder, read back with its truth, and run through the detector.
import Foundation
import Greeting

/// The package's root folder, from this file's path.
public let packageRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url
}()

/// One answered call of the greeting corpus, with its truth from `scripts/greeting-corpus`.
public struct CorpusCase: Sendable, CustomStringConvertible {
    /// What the case really is.
    public enum Truth: String, Sendable, CaseIterable { case machine, person, invalid }

    /// The case's name (its file is NAME.wav).
    public var name: String
    /// What the case really is.
    public var truth: Truth
    /// Machines: the sample just past the beep, or past the last speech when there is none.
    public var greetingEnd: Int
    /// The beep's frequency, 0 when there is none.
    public var beepHertz: Double
    /// The samples just past each spoken part.
    public var speechEnds: [Int]
    /// What the case is, in words.
    public var summary: String
    /// The audio: 8 kHz signed linear.
    public var samples: [Int16]

    /// The case's name, as tests show it.
    public var description: String { name }
    /// Whether the greeting ends with a beep.
    public var hasBeep: Bool { beepHertz > 0 }
}

/// The corpus, built once per build folder by `scripts/greeting-corpus` into
/// `.build/greeting-corpus` (built again when the script changes), or the reason it could not be.
public let greetingCorpus: Result<[CorpusCase], CorpusError> = {
    let folder = packageRoot.appendingPathComponent(".build/greeting-corpus")
    let script = packageRoot.appendingPathComponent("scripts/greeting-corpus")
    let manifest = folder.appendingPathComponent("manifest.tsv")
    do {
        if modified(manifest) < modified(script) { try generate(script: script, into: folder) }
        return .success(try readCorpus(folder))
    } catch let error as CorpusError {
        return .failure(error)
    } catch {
        return .failure(CorpusError(reason: "\(error)"))
    }
}()

/// The corpus's cases, or none when it could not be built (a test reports why).
public let corpusCases: [CorpusCase] = (try? greetingCorpus.get()) ?? []

/// Why the corpus could not be built or read.
public struct CorpusError: Error, CustomStringConvertible {
    /// What went wrong.
    public var reason: String
    /// What went wrong.
    public var description: String { reason }
}

private func modified(_ url: URL) -> Date {
    let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
    return attributes?[.modificationDate] as? Date ?? .distantPast
}

/// Runs the generator into a fresh folder beside `folder`, then moves it into place.
private func generate(script: URL, into folder: URL) throws {
    let fresh = folder.deletingLastPathComponent().appendingPathComponent("greeting-corpus.\(getpid())")
    try? FileManager.default.removeItem(at: fresh)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script.path, fresh.path]
    let errors = Pipe()
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    try process.run()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CorpusError(reason: "scripts/greeting-corpus failed: " + String(decoding: message, as: UTF8.self))
    }
    try? FileManager.default.removeItem(at: folder)
    try FileManager.default.moveItem(at: fresh, to: folder)
}

private func readCorpus(_ folder: URL) throws -> [CorpusCase] {
    let text = try String(contentsOf: folder.appendingPathComponent("manifest.tsv"), encoding: .utf8)
    return try text.split(separator: "\n").dropFirst().map { line in
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 7, let truth = CorpusCase.Truth(rawValue: fields[1]),
              let end = Int(fields[2]), let hertz = Double(fields[3]) else {
            throw CorpusError(reason: "manifest.tsv: a line that is not 7 fields of a case: \(line)")
        }
        let wav = try Data(contentsOf: folder.appendingPathComponent(fields[0] + ".wav"))
        return CorpusCase(name: fields[0], truth: truth, greetingEnd: end, beepHertz: hertz,
                          speechEnds: fields[4].split(separator: ",").compactMap { Int($0) },
                          summary: fields[6], samples: try pcm(wav, name: fields[0]))
    }
}

/// The 16-bit samples of a WAV file's `data` chunk.
public func pcm(_ wav: Data, name: String) throws -> [Int16] {
    let bytes = [UInt8](wav)
    var offset = 12
    while offset + 8 <= bytes.count {
        let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16
            | Int(bytes[offset + 7]) << 24
        let body = offset + 8
        if bytes[offset..<offset + 4].elementsEqual("data".utf8), body + size <= bytes.count {
            return stride(from: body, to: body + size - 1, by: 2).map {
                Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8)
            }
        }
        offset = body + size + (size & 1)
    }
    throw CorpusError(reason: "\(name).wav has no data chunk")
}

/// What the detector made of a case, fed in 20 ms frames as AudioSocket delivers them.
public struct CaseResult: Sendable {
    /// The case.
    public var corpusCase: CorpusCase
    /// The detector's decision when it became final, or `.listening` if it never did.
    public var decision: GreetingDecision
    /// Samples consumed when the decision became final (the end of the 20 ms frame it came in).
    public var decidedAfter: Int

    /// Runs `corpusCase` through a detector with `configuration`.
    public init(_ corpusCase: CorpusCase, configuration: GreetingDetector.Configuration = .init()) {
        self.corpusCase = corpusCase
        var detector = GreetingDetector(configuration: configuration)
        var decision = GreetingDecision.listening
        var start = 0
        corpusCase.samples.withUnsafeBufferPointer { all in
            while start < all.count, !decision.isFinal {
                decision = detector.consume(UnsafeBufferPointer(rebasing: all[start..<min(start + 160, all.count)]))
                start += 160
            }
        }
        self.decision = decision
        decidedAfter = detector.samplesConsumed
    }

    /// Whether the decision's kind matches the truth.
    public var isRightKind: Bool {
        switch (decision, corpusCase.truth) {
        case (.machine, .machine), (.person, .person), (.invalidNumber, .invalid): true
        default: false
        }
    }

    /// Machines with a beep: samples from the beep's real end to the reported greeting end.
    public var beepEndGap: Int? {
        guard corpusCase.hasBeep, case .machine(let end, _) = decision else { return nil }
        return end - corpusCase.greetingEnd
    }

    /// People: the silence they heard from the end of their last words to the decision, in samples.
    public var personWait: Int? {
        guard case .person(let decidedAt) = decision else { return nil }
        return decidedAt - (corpusCase.speechEnds.filter { $0 <= decidedAt }.max() ?? 0)
    }

    /// Right kind, and for a beep the greeting's end within 300 ms after the beep's, never before.
    public var isRight: Bool {
        guard isRightKind else { return false }
        guard let gap = beepEndGap else { return true }
        return gap >= 0 && gap <= 2400
    }
}

/// The value at fraction `p` (0...1) of sorted values (nearest rank).
public func percentile(_ sorted: [Int], _ p: Double) -> Int {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((p * Double(sorted.count)).rounded(.up))
    return sorted[max(0, min(sorted.count - 1, rank - 1))]
}
