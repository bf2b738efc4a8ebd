public import Foundation

/// An RFC 3339 instant as Stytch writes it (`2021-08-28T00:41:58.935673870Z`), kept to the
/// nanosecond together with the text it came from.
///
/// Equality and ordering are by instant, so `…T00:00:00Z` equals `…T00:00:00.000Z` and
/// `…T01:00:00+01:00`.
public struct RFC3339Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public let secondsSince1970: Int64
    /// The fraction of the second, 0 to 999,999,999.
    public let nanoseconds: Int32
    /// The text as received.
    public var text: String { receivedText ?? Self.canonicalText(secondsSince1970) }
    /// The text as received, unless it is the canonical `YYYY-MM-DDTHH:MM:SSZ` form of the instant
    /// (Stytch's usual form), which ``text`` rebuilds exactly when asked: reading a token then
    /// makes no string for its timestamps.
    private let receivedText: String?

    /// The instant as a `Date` (sub-microsecond precision may round).
    public var date: Date {
        Date(timeIntervalSince1970: Double(secondsSince1970) + Double(nanoseconds) / 1_000_000_000)
    }

    /// The instant as fractional seconds since 1970.
    public var timeIntervalSince1970: Double {
        Double(secondsSince1970) + Double(nanoseconds) / 1_000_000_000
    }

    /// The timestamp as RFC 3339 text.
    public var description: String { text }

    /// Parses `text`: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `T`/`Z` in either case,
    /// up to nine fraction digits. Returns nil for anything else, including impossible dates.
    public init?(_ text: String) {
        // Parsed straight from the string's UTF-8 storage: no copy, no Foundation.
        var text = text
        guard let instant = text.withUTF8({ Self.parse($0) }) else { return nil }
        self.secondsSince1970 = instant.seconds
        self.nanoseconds = instant.nanoseconds
        self.receivedText = instant.isCanonical ? nil : text
    }

    /// Parses UTF-8 text as ``init(_:)`` parses a string, making a string only for a text that is
    /// not in the canonical form.
    init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        guard let instant = Self.parse(bytes) else { return nil }
        self.secondsSince1970 = instant.seconds
        self.nanoseconds = instant.nanoseconds
        self.receivedText = instant.isCanonical ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for whole seconds since 1970 (years 0 to 9999).
    static func canonicalText(_ seconds: Int64) -> String {
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let (year, month, day) = civilFromDays(days)
        return String(unsafeUninitializedCapacity: 20) { buffer in
            func put(_ value: Int, _ digits: Int, at offset: Int) {
                var value = value
                for position in stride(from: offset + digits - 1, through: offset, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(year, 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(month, 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(day, 2, at: 8)
            buffer[10] = UInt8(ascii: "T")
            put(secondOfDay / 3600, 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(secondOfDay / 60 % 60, 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(secondOfDay % 60, 2, at: 17)
            buffer[19] = UInt8(ascii: "Z")
            return 20
        }
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
    /// civil-from-days algorithm, the inverse of ``daysFromCivil(year:month:day:)``).
    private static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The instant, and whether `bytes` are exactly ``canonicalText(_:)`` of it: 20 bytes, upper-case
    /// `T` and `Z`, no fraction, no offset, no leap second.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (seconds: Int64, nanoseconds: Int32, isCanonical: Bool)? {
        if bytes.count == 20, let seconds = canonicalSeconds(bytes) { return (seconds, 0, true) }
        guard bytes.count >= 20, bytes.count <= 64 else { return nil }
        @inline(__always) func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for offset in start..<start + count {
                let byte = bytes[offset]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = digits(0, 4), bytes[4] == UInt8(ascii: "-"),
              let month = digits(5, 2), bytes[7] == UInt8(ascii: "-"),
              let day = digits(8, 2), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
              let hour = digits(11, 2), bytes[13] == UInt8(ascii: ":"),
              let minute = digits(14, 2), bytes[16] == UInt8(ascii: ":"),
              let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var index = 19
        var nanos = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            let count = index - start
            guard count >= 1, count <= 9, let fraction = digits(start, count) else { return nil }
            nanos = fraction
            for _ in count..<9 { nanos *= 10 }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[index] == UInt8(ascii: "+") ? 1 : -1
            guard let offsetHour = digits(index + 1, 2), index + 3 < bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let offsetMinute = digits(index + 4, 2), offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetSeconds = sign * (offsetHour * 3600 + offsetMinute * 60)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count else { return nil }

        // A leap second (:60) is read as the first instant of the next minute.
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        let isCanonical = bytes.count == 20 && bytes[10] == UInt8(ascii: "T") && bytes[19] == UInt8(ascii: "Z") && second <= 59
        return (seconds, Int32(nanos), isCanonical)
    }

    /// The instant of 20 bytes in the canonical form `YYYY-MM-DDTHH:MM:SSZ` (Stytch's usual one),
    /// or nil when they are anything else: then ``parse(_:)`` reads them in full and decides.
    /// The digits are checked together and the fields read at fixed offsets.
    @inline(__always)
    private static func canonicalSeconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z")
        else { return nil }
        var notDigit: UInt8 = 0
        @inline(__always) func digit(_ offset: Int) -> Int {
            let value = bytes[offset] &- 0x30  // wraps for bytes below "0"
            notDigit |= value > 9 ? 1 : 0
            return Int(value)
        }
        let year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)
        let month = digit(5) * 10 + digit(6), day = digit(8) * 10 + digit(9)
        let hour = digit(11) * 10 + digit(12), minute = digit(14) * 10 + digit(15), second = digit(17) * 10 + digit(18)
        guard notDigit == 0, month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 59  // a leap second is not canonical
        else { return nil }
        return Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// Whether both name the same instant (`…T00:00:00Z` equals `…T00:00:00.000Z`).
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.secondsSince1970 == rhs.secondsSince1970 && lhs.nanoseconds == rhs.nanoseconds
    }

    /// Hashes the instant, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(secondsSince1970)
        hasher.combine(nanoseconds)
    }

    /// Whether `lhs` is the earlier instant.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.secondsSince1970, lhs.nanoseconds) < (rhs.secondsSince1970, rhs.nanoseconds)
    }

    /// Decodes an RFC 3339 string; any other value is a decoding error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = RFC3339Timestamp(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 timestamp")
        }
        self = value
    }

    /// Encodes the timestamp as RFC 3339 text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil-days algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
