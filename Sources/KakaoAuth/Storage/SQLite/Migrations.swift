/// The SQL files of `migrations/sqlite/`, embedded in the binary so that it runs from any working directory.
/// `Storage/SQLite/Migrations` links to that folder; a test checks that this list names every file in it, in
/// order.
enum SQLiteMigrations {
    static let all: [(name: String, sql: [UInt8])] = [
        ("0001_initial", PackageResources._001_initial_sql),
        ("0002_auth_events", PackageResources._002_auth_events_sql),
        ("0003_used_login_states", PackageResources._003_used_login_states_sql),
        ("0004_foreign_token_events", PackageResources._004_foreign_token_events_sql),
        ("0005_erase_deleted_users", PackageResources._005_erase_deleted_users_sql),
        ("0006_new_event_kinds", PackageResources._006_new_event_kinds_sql),
        ("0007_single_use_credentials_and_erasure_intent", PackageResources._007_single_use_credentials_and_erasure_intent_sql),
        ("0008_disabled_accounts_and_session_details", PackageResources._008_disabled_accounts_and_session_details_sql),
        ("0009_roles_and_app_metadata", PackageResources._009_roles_and_app_metadata_sql),
        ("0010_kakao_signal_events", PackageResources._010_kakao_signal_events_sql),
    ]
}
