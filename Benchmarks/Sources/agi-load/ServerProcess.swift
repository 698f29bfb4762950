import Glibc

/// The server's memory and CPU time as Linux reports them under /proc/PID.
struct ServerProcess: Sendable {
    /// The server's process id.
    let pid: Int32

    /// Resident memory now and its peak since the process started, in KiB.
    struct Memory: Sendable {
        var residentKiB: Int
        var peakResidentKiB: Int
    }

    /// `VmRSS` and `VmHWM` from /proc/PID/status; nil once the process is gone.
    func memory() -> Memory? {
        guard let status = Self.read("/proc/\(pid)/status") else { return nil }
        var memory = Memory(residentKiB: 0, peakResidentKiB: 0)
        for line in status.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") { memory.residentKiB = Self.kibibytes(line) }
            if line.hasPrefix("VmHWM:") { memory.peakResidentKiB = Self.kibibytes(line) }
        }
        return memory
    }

    /// User plus system CPU seconds used so far, from /proc/PID/stat; nil once the process is gone.
    func cpuSeconds() -> Double? {
        guard let stat = Self.read("/proc/\(pid)/stat"),
              let afterName = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name start at field 3 (state); utime and stime are 14 and 15.
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func kibibytes(_ line: Substring) -> Int {
        line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } ?? 0
    }

    private static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }
}

/// The generator's own CPU seconds (user plus system), to show it was not the bottleneck.
func ownCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
