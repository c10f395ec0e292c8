@testable import KakaoAuth

/// A valid environment, and the configuration error that changes to it cause.
enum ConfigurationProbe {
    static let valid = TestService.environment(kakaoBaseURL: "http://localhost:9", databasePath: "/tmp/unused.sqlite")

    /// nil when the changed environment is valid (a nil value unsets the variable).
    static func problem(_ changes: [String: String?]) -> ConfigurationError? {
        var environment = valid
        for (name, value) in changes { environment[name] = value }
        do {
            _ = try Configuration(environment: environment)
            return nil
        } catch {
            return error
        }
    }
}
