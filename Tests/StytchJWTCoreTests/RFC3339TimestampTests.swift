import Foundation
import Testing
import StytchJWTCore

/// Seconds since 1970 of a UTC civil time, from Foundation's Gregorian calendar: an oracle that
/// shares no code with the parser under test.
private func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Int64 {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    return Int64(calendar.date(from: components)!.timeIntervalSince1970)
}

struct ValidTimestamp: Sendable, CustomTestStringConvertible {
    let text: String
    let seconds: Int64
    let nanoseconds: Int32
    var testDescription: String { text }
}

@Suite("RFC3339Timestamp")
struct RFC3339TimestampTests {
    static let newYear = utc(2026, 1, 1)

    static let valid: [ValidTimestamp] = [
        ValidTimestamp(text: "2026-01-01T00:00:00Z", seconds: newYear, nanoseconds: 0),
        ValidTimestamp(text: "2026-01-01t00:00:00z", seconds: newYear, nanoseconds: 0),
        ValidTimestamp(text: "2026-01-01T00:00:00+00:00", seconds: newYear, nanoseconds: 0),
        ValidTimestamp(text: "2026-01-01T00:00:00-00:00", seconds: newYear, nanoseconds: 0),
        ValidTimestamp(text: "2026-01-01T01:00:00+01:00", seconds: newYear, nanoseconds: 0),
        ValidTimestamp(text: "2026-01-01T05:30:00+05:30", seconds: newYear, nanoseconds: 0),
        ValidTimestamp(text: "2025-12-31T19:00:00-05:00", seconds: newYear, nanoseconds: 0),
        ValidTimestamp(text: "2026-01-01T23:59:59-23:59", seconds: utc(2026, 1, 2, 23, 58, 59), nanoseconds: 0),
        ValidTimestamp(text: "2026-01-01T00:00:00.5+01:00", seconds: utc(2025, 12, 31, 23), nanoseconds: 500_000_000),
        ValidTimestamp(text: "2026-01-01T00:00:00.1Z", seconds: newYear, nanoseconds: 100_000_000),
        ValidTimestamp(text: "2026-01-01T00:00:00.12Z", seconds: newYear, nanoseconds: 120_000_000),
        ValidTimestamp(text: "2026-01-01T00:00:00.123Z", seconds: newYear, nanoseconds: 123_000_000),
        ValidTimestamp(text: "2026-01-01T00:00:00.1234Z", seconds: newYear, nanoseconds: 123_400_000),
        ValidTimestamp(text: "2026-01-01T00:00:00.12345Z", seconds: newYear, nanoseconds: 123_450_000),
        ValidTimestamp(text: "2026-01-01T00:00:00.123456Z", seconds: newYear, nanoseconds: 123_456_000),
        ValidTimestamp(text: "2026-01-01T00:00:00.1234567Z", seconds: newYear, nanoseconds: 123_456_700),
        ValidTimestamp(text: "2026-01-01T00:00:00.12345678Z", seconds: newYear, nanoseconds: 123_456_780),
        ValidTimestamp(text: "2026-01-01T00:00:00.123456789Z", seconds: newYear, nanoseconds: 123_456_789),
        ValidTimestamp(text: "2026-01-01T00:00:00.000000001Z", seconds: newYear, nanoseconds: 1),
        ValidTimestamp(text: "2026-01-01T00:00:00.000Z", seconds: newYear, nanoseconds: 0),
        ValidTimestamp(text: "2021-08-28T00:41:58.935673870Z", seconds: utc(2021, 8, 28, 0, 41, 58), nanoseconds: 935_673_870),
        ValidTimestamp(text: "2024-02-29T12:00:00Z", seconds: utc(2024, 2, 29, 12), nanoseconds: 0),
        ValidTimestamp(text: "2000-02-29T00:00:00Z", seconds: utc(2000, 2, 29), nanoseconds: 0),
        ValidTimestamp(text: "2026-12-31T23:59:59Z", seconds: utc(2026, 12, 31, 23, 59, 59), nanoseconds: 0),
        ValidTimestamp(text: "1970-01-01T00:00:00Z", seconds: 0, nanoseconds: 0),
        ValidTimestamp(text: "1969-12-31T23:59:59Z", seconds: -1, nanoseconds: 0),
    ]

    @Test("valid forms parse to the right instant and keep their text", arguments: valid)
    func parses(_ form: ValidTimestamp) throws {
        let timestamp = try #require(RFC3339Timestamp(form.text))
        #expect(timestamp.secondsSince1970 == form.seconds)
        #expect(timestamp.nanoseconds == form.nanoseconds)
        #expect(timestamp.text == form.text)
        #expect(timestamp.description == form.text)
    }

    @Test("invalid forms are refused", arguments: [
        "2026-01-01T00:00:00",              // no zone
        "2026-01-01T00:00:00.1234567890Z",  // 10 fraction digits
        "2026-01-01T00:00:00.Z",            // empty fraction
        "2026-01-01T00:00:00,5Z",           // comma fraction
        "2026-02-30T00:00:00Z",             // February 30
        "2023-02-29T00:00:00Z",             // not a leap year
        "1900-02-29T00:00:00Z",             // century, not a leap year
        "2026-04-31T00:00:00Z",             // April has 30 days
        "2026-13-01T00:00:00Z",             // month 13
        "2026-00-01T00:00:00Z",             // month 0
        "2026-01-00T00:00:00Z",             // day 0
        "2026-01-32T00:00:00Z",             // day 32
        "2026-01-01T24:00:00Z",             // hour 24
        "2026-01-01T00:60:00Z",             // minute 60
        "2026-01-01T00:00:61Z",             // second 61
        "2026-01-01 00:00:00Z",             // space for T
        "2026-01-0100:00:00Z",              // no T
        "2026-01-01T00:00Z",                // no seconds
        "2026-01-01",                       // date only
        "2026-01-01T00:00:00Zjunk",         // trailing junk
        "2026-01-01T00:00:00Z ",            // trailing space
        " 2026-01-01T00:00:00Z",            // leading space
        "2026-01-01T00:00:00+01:00junk",    // junk after an offset
        "2026-01-01T00:00:00+0100",         // offset without a colon
        "2026-01-01T00:00:00+01",           // offset without minutes
        "2026-01-01T00:00:00+24:00",        // offset hour 24
        "2026-01-01T00:00:00+01:60",        // offset minute 60
        "2026-01-01T00:00:00GMT",           // named zone
        "26-01-01T00:00:00Z",               // two-digit year
        "2026-1-01T00:00:00Z",              // one-digit month
        "2026-01-01T0:00:00Z",              // one-digit hour
        "+2026-01-01T00:00:00Z",            // signed year
        "٢٠٢٦-01-01T00:00:00Z",             // non-ASCII digits
        "1767225600",                       // Unix seconds
        "",
    ])
    func refuses(_ text: String) {
        #expect(RFC3339Timestamp(text) == nil)
    }

    @Test("equality and hashing are by instant, across precision, case and offsets")
    func equalityAcrossForms() throws {
        let texts = [
            "2026-01-01T00:00:00Z", "2026-01-01t00:00:00z", "2026-01-01T00:00:00.0Z", "2026-01-01T00:00:00.000Z",
            "2026-01-01T00:00:00.000000000Z", "2026-01-01T01:00:00+01:00", "2025-12-31T19:00:00-05:00",
            "2026-01-01T05:30:00.000+05:30",
        ]
        let timestamps = try texts.map { try #require(RFC3339Timestamp($0)) }
        for timestamp in timestamps {
            #expect(timestamp == timestamps[0], "\(timestamp.text)")
        }
        #expect(Set(timestamps).count == 1)
        #expect(Set(timestamps.map(\.text)).count == texts.count)  // each keeps its own text
    }

    @Test("one nanosecond apart is unequal, and ordering follows the instant")
    func ordering() throws {
        let ordered = try [
            "2026-01-01T00:30:00+01:00",         // 2025-12-31T23:30:00Z
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00.000000001Z",
            "2026-01-01T00:00:00.1Z",
            "2026-01-01T00:00:00.999999999Z",
            "2026-01-01T00:00:01Z",
            "2025-12-31T20:00:01-05:00",         // 2026-01-01T01:00:01Z
        ].map { try #require(RFC3339Timestamp($0)) }
        for (earlier, later) in zip(ordered, ordered.dropFirst()) {
            #expect(earlier < later, "\(earlier.text) < \(later.text)")
            #expect(earlier != later)
        }
    }

    @Test("date and timeIntervalSince1970 carry the fraction")
    func dateConversion() throws {
        let timestamp = try #require(RFC3339Timestamp("2026-01-01T00:00:00.5Z"))
        #expect(timestamp.timeIntervalSince1970 == Double(utc(2026, 1, 1)) + 0.5)
        #expect(timestamp.date == Date(timeIntervalSince1970: Double(utc(2026, 1, 1)) + 0.5))
    }

    @Test("Codable round-trips the text and refuses invalid strings")
    func codable() throws {
        let json = Data(#"["2026-01-01T01:00:00.250+01:00"]"#.utf8)
        let decoded = try JSONDecoder().decode([RFC3339Timestamp].self, from: json)
        #expect(decoded.first?.secondsSince1970 == utc(2026, 1, 1))
        #expect(decoded.first?.nanoseconds == 250_000_000)
        #expect(try JSONEncoder().encode(decoded) == json)
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode([RFC3339Timestamp].self, from: Data(#"["2026-02-30T00:00:00Z"]"#.utf8))
        }
    }

    /// The canonical form (`YYYY-MM-DDTHH:MM:SSZ`) is not stored but rebuilt for `text`: it must
    /// come back byte for byte, for every kind of date, and any other form is kept as received.
    @Test("text comes back exactly as received, canonical or not")
    func textRoundTrips() throws {
        var canonical = [
            "0000-01-01T00:00:00Z", "0000-02-29T23:59:59Z", "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z",
            "1900-02-28T12:00:00Z", "2000-02-29T00:00:01Z", "2026-01-01T02:00:00Z", "2100-03-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ]
        // One instant in every month of four centuries, with a different time of day each.
        for year in stride(from: 1800, through: 2200, by: 7) {
            for month in 1...12 {
                let day = month == 2 ? 28 : 30 - month % 2
                canonical.append(String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, month + 7, year % 60, (year + month) % 60))
            }
        }
        for text in canonical {
            let timestamp = try #require(RFC3339Timestamp(text), "\(text)")
            #expect(timestamp.text == text)
            #expect(timestamp.description == text)
        }
        for text in ["2026-01-01t00:00:00Z", "2026-01-01T00:00:00z", "2026-01-01T00:00:00.000Z", "2026-01-01T01:00:00+01:00",
                     "2026-01-01T00:00:00-00:00", "2016-12-31T23:59:60Z", "2026-01-01T00:00:00.5Z"] {
            #expect(try #require(RFC3339Timestamp(text)).text == text)
        }
        // Equal instants in different forms stay equal, and each keeps its own text.
        let plain = try #require(RFC3339Timestamp("2026-01-01T00:00:00Z"))
        let offset = try #require(RFC3339Timestamp("2026-01-01T01:00:00+01:00"))
        #expect(plain == offset && plain.text != offset.text)
    }

    /// Twenty bytes in the canonical shape are read by a fast path at fixed offsets; anything it
    /// is not sure of goes to the general parser. Forcing the general parser on the same text (a
    /// `.0` fraction before the `Z` changes nothing else) must give the same answer: every date
    /// of four leap-year cycles' edges, and seeded mutations of every byte.
    @Test("the canonical fast path agrees with the general parser")
    func canonicalFastPathAgrees() {
        func general(_ text: String) -> RFC3339Timestamp? {
            guard text.utf8.count == 20, text.hasSuffix("Z") else { return RFC3339Timestamp(text) }
            return RFC3339Timestamp(String(text.dropLast()) + ".0Z")
        }
        var texts: [String] = []
        for year in [0, 1, 4, 100, 400, 1900, 1970, 1999, 2000, 2024, 2026, 2100, 9999] {
            for month in 0...13 {
                for day in [0, 1, 28, 29, 30, 31, 32] {
                    texts.append(String(format: "%04d-%02d-%02dT23:59:59Z", year, month, day))
                }
            }
        }
        for time in ["00:00:00", "23:59:59", "24:00:00", "23:60:00", "23:59:60", "99:99:99"] {
            texts.append("2026-06-15T\(time)Z")
        }
        var random = SplitMix64(seed: 0x3339)
        let alphabet = Array("0123456789-:TtZz+. /\u{7F}".utf8) + [0x2F, 0x3A, 0x80]
        for _ in 0..<4_000 {
            var bytes = Array("2026-01-01T12:34:56Z".utf8)
            for _ in 0...Int(random.next() % 2) {
                bytes[Int(random.next() % 20)] = alphabet[Int(random.next() % UInt64(alphabet.count))]
            }
            texts.append(String(decoding: bytes, as: UTF8.self))
        }
        var accepted = 0
        for text in texts {
            let fast = RFC3339Timestamp(text), slow = general(text)
            #expect(fast == slow, "\(text)")
            if let fast { accepted += 1; #expect(fast.text == text, "\(text)") }
        }
        #expect(accepted > 1_000 && accepted < texts.count)
    }
}
