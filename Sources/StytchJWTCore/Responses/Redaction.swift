/// Printing without secrets: a value holding a session token, a session JWT or an intermediate
/// session token shows `<redacted>` in their place through `description`, string interpolation,
/// `debugDescription`, `dump` and `Mirror` alike. The values stay readable as properties.
package protocol RedactedPrinting: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The fields to print, secrets already replaced by ``redacted``.
    var printedFields: [(label: String, value: Any)] { get }
}

/// What a secret prints as.
package let redacted = "<redacted>"

extension RedactedPrinting {
    /// The type and its fields, with every secret shown as `<redacted>`.
    public var description: String {
        let fields = printedFields.map { "\($0.label): \(String(reflecting: $0.value))" }.joined(separator: ", ")
        return "\(type(of: self))(\(fields))"
    }

    /// The same as `description`: secrets redacted.
    public var debugDescription: String { description }

    /// The fields for `dump` and `Mirror`, with every secret shown as `<redacted>`.
    public var customMirror: Mirror {
        Mirror(self, children: printedFields.map { (label: Optional($0.label), value: $0.value) }, displayStyle: .struct)
    }
}

extension B2BAuthenticateResponse: RedactedPrinting {
    package var printedFields: [(label: String, value: Any)] {
        [
            ("requestID", requestID), ("statusCode", statusCode), ("memberID", memberID), ("organizationID", organizationID),
            ("memberAuthenticated", memberAuthenticated), ("sessionToken", redacted), ("sessionJWT", redacted),
            ("intermediateSessionToken", redacted), ("member", member), ("organization", organization),
            ("memberSession", memberSession as Any), ("mfaRequired", mfaRequired as Any),
        ]
    }
}

extension B2BSessionAuthenticateResponse: RedactedPrinting {
    package var printedFields: [(label: String, value: Any)] {
        [
            ("requestID", requestID), ("statusCode", statusCode), ("sessionToken", redacted), ("sessionJWT", redacted),
            ("memberSession", memberSession), ("member", member), ("organization", organization), ("verdict", verdict as Any),
        ]
    }
}

extension SessionAuthentication: RedactedPrinting {
    package var printedFields: [(label: String, value: Any)] {
        [("session", session), ("sessionJWT", redacted), ("refreshed", refreshed), ("response", response as Any)]
    }
}

extension MFARequiredOutcome: RedactedPrinting {
    package var printedFields: [(label: String, value: Any)] {
        [
            ("memberID", memberID), ("organizationID", organizationID), ("intermediateSessionToken", redacted),
            ("intermediateSessionTokenExpiresAt", intermediateSessionTokenExpiresAt as Any), ("mfaRequired", mfaRequired as Any),
            ("response", response),
        ]
    }
}

extension AuthenticatedMember: RedactedPrinting {
    package var printedFields: [(label: String, value: Any)] {
        [("session", session), ("response", response)]
    }
}
