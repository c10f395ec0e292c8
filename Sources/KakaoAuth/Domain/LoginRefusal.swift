/// A login refused by a rule of ours rather than by Kakao, in the domain's terms: ``APIError`` says it in
/// HTTP's (ErrorMapping).
enum LoginRefusal: Error, Equatable {
    /// An id_token that verifies has logged in before: each logs in once.
    case idTokenReused
    /// An access-token login needs `KAKAO_APP_ID`, to check which app Kakao issued the token to.
    case accessTokenLoginsNeedAppID
    /// The account is disabled (``AccountDisable``): Kakao vouched for the user, and we open no session.
    case accountDisabled
}
