// The response fuzz target (see StytchFuzzing.FuzzTarget.response). Tests/fuzz.sh builds it for libFuzzer;
// the ordinary build replays files through the same entry point.
import Foundation
import StytchFuzzing

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    LibFuzzer.testOneInput(.response, data, size)
}

@_cdecl("stytch_jwt_fuzz_response_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    LibFuzzer.runDriver(argc: argc, argv: argv, callback: fuzzOneInput)
}
#else
@main
enum FuzzResponseReplay {
    static func main() {
        let status = FuzzReplay.main(.response)
        if status != 0 { exit(status) }
    }
}
#endif
