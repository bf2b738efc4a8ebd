import Foundation
import Synchronization
import StytchJWT

/// The lines of a token log for `verify --batch` (`-` is standard input), read in linear time
/// with bounded memory whatever the input (SPEC §6): every byte is looked at a bounded number of
/// times, one fixed buffer is read into, and at most ``keptBytes`` of a line are kept.
///
/// Each line is one token; surrounding ASCII whitespace (a CR before the LF, spaces, tabs) is not
/// part of it; a final newline does not make an extra empty token. A line whose token is longer
/// than the token limit comes out as its first ``keptBytes`` bytes: still over the limit, so the
/// verifier refuses it as `malformed` with the message it gives any oversize token (its one rule),
/// and the batch goes on with the next line.
final class BatchReader {
    /// One byte more than a token may have (SPEC §4: 16 KiB).
    static let keptBytes = CompactJWS.Limits.maximumTokenBytes + 1

    private let handle: FileHandle
    /// Where reads go: one buffer for the whole input.
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
    /// The bytes of the last read are `buffer[position..<end]` from `position` on.
    private var position = 0, end = 0
    private var atEnd = false
    /// The current line's bytes from its first non-whitespace byte on, at most `keptBytes`.
    private var line: [UInt8] = []
    /// Whether any byte of the current line has been read (an unterminated last line counts).
    private var lineStarted = false
    /// Whether the current line's token runs past `keptBytes`: a non-whitespace byte lies beyond.
    private var overflows = false

    init(path: String) throws(CommandFailure) {
        if path == "-" {
            handle = FileHandle.standardInput
        } else if let file = FileHandle(forReadingAtPath: path) {
            handle = file
        } else {
            throw .usage("--token-file: cannot open the file")
        }
        line.reserveCapacity(Self.keptBytes)
    }

    deinit { buffer.deallocate() }

    /// Up to `maximumCount` more lines (fewer once about `maximumBytes` are kept), or nil at the
    /// end of the input.
    func next(maximumCount: Int = 4_096, maximumBytes: Int = 4 << 20) throws(CommandFailure) -> [String]? {
        var lines: [String] = []
        var bytes = 0
        while lines.count < maximumCount, bytes < maximumBytes {
            if position == end {
                if atEnd { break }
                try refill()
                if atEnd {
                    if lineStarted { lines.append(finishLine()) }
                    break
                }
            }
            let start = position
            let newline = memchr(buffer.baseAddress! + start, Int32(UInt8(ascii: "\n")), end - start)
            let stop = newline.map { buffer.baseAddress!.distance(to: UnsafeMutableRawPointer($0)) } ?? end
            take(start..<stop)
            position = newline == nil ? stop : stop + 1
            if newline != nil {
                bytes += line.count
                lines.append(finishLine())
            }
        }
        return lines.isEmpty ? nil : lines
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

    /// Adds `range` of the buffer (part of one line, no newline in it) to the current line.
    private func take(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        lineStarted = true
        guard !overflows else { return }
        var index = range.lowerBound
        if line.isEmpty {
            while index < range.upperBound, Self.isSpace(buffer[index]) { index += 1 }
        }
        let kept = min(Self.keptBytes - line.count, range.upperBound - index)
        line.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index..<(index + kept)]))
        index += kept
        // Past the kept bytes only whitespace may follow (trailing, trimmed); anything else makes
        // the token longer than the limit.
        while index < range.upperBound {
            if !Self.isSpace(buffer[index]) {
                overflows = true
                return
            }
            index += 1
        }
    }

    /// The current line as a token (see the type's description), and a fresh line begun.
    private func finishLine() -> String {
        var count = line.count
        if !overflows {
            while count > 0, Self.isSpace(line[count - 1]) { count -= 1 }
        }
        let token = String(decoding: line[..<count], as: UTF8.self)
        line.removeAll(keepingCapacity: true)
        lineStarted = false
        overflows = false
        return token
    }

    private func refill() throws(CommandFailure) {
        while true {
            let count = read(handle.fileDescriptor, buffer.baseAddress, buffer.count)
            if count > 0 {
                (position, end) = (0, count)
                return
            }
            if count == 0 {
                atEnd = true
                return
            }
            guard errno == EINTR else { throw .usage("--token-file: cannot read the input") }
        }
    }
}

/// The output of `verify --batch` workers: one buffer per worker, each the JSON lines of the
/// contiguous block of a chunk that worker verified, written out in worker order (input order).
/// The buffers are kept from chunk to chunk: megabytes each, fresh ones would be mapped and
/// unmapped by the allocator every chunk.
final class BatchOutputs: Sendable {
    private struct Slot {
        var writer = JSONWriter(capacity: 0)
        var allVerified = true
    }

    private let slots: Mutex<[Slot]>

    init(workers: Int) { slots = Mutex(Array(repeating: Slot(), count: workers)) }

    /// The lines `lines[block]` of the chunk that `worker` is given, for `workers` workers.
    static func block(_ worker: Int, of workers: Int, lineCount: Int) -> Range<Int> {
        let base = lineCount / workers, extra = lineCount % workers
        let start = worker * base + min(worker, extra)
        return start..<(start + base + (worker < extra ? 1 : 0))
    }

    /// Runs `write` for `worker` with its buffer emptied, and keeps what it wrote and whether
    /// every line of it was a verified token.
    func fill(_ worker: Int, _ write: (inout JSONWriter) -> Bool) {
        var writer = slots.withLock { slots in
            var taken = JSONWriter(capacity: 0)
            swap(&taken, &slots[worker].writer)
            return taken
        }
        writer.removeAll()
        let allVerified = write(&writer)
        slots.withLock { $0[worker] = Slot(writer: writer, allVerified: allVerified) }
    }

    /// Writes the first `workers` buffers to standard output in order; whether every line in them
    /// was a verified token.
    func flush(workers: Int) throws(CommandFailure) -> Bool {
        try slots.withLock { slots throws(CommandFailure) in
            var allVerified = true
            for index in 0..<workers {
                try Output.standardOutput(slots[index].writer.bytes)
                allVerified = allVerified && slots[index].allVerified
            }
            return allVerified
        }
    }
}
