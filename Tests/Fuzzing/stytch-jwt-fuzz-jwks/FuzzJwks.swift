// The jwks fuzz target (see StytchFuzzing.FuzzTarget.jwks). Tests/fuzz.sh builds it for libFuzzer;
// the ordinary build replays files through the same entry point.
import Foundation
import StytchFuzzing

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    LibFuzzer.testOneInput(.jwks, data, size)
}

@_cdecl("stytch_jwt_fuzz_jwks_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    LibFuzzer.runDriver(argc: argc, argv: argv, callback: fuzzOneInput)
}
#else
@main
enum FuzzJwksReplay {
    static func main() {
        let status = FuzzReplay.main(.jwks)
        if status != 0 { exit(status) }
    }
}
#endif
