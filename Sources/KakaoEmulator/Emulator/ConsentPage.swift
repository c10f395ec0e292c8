import Hummingbird
import KakaoAuth

/// The emulator's stand-in for Kakao's login and consent screens (Korean and English): pick or type a test
/// user, choose what to share, then agree or cancel. The authorize request rides along in hidden fields.
struct ConsentPage {
    let carriedFields: [String: String]

    private static let presets: [(id: String, nickname: String, email: String)] = [
        ("9007199254740993", "라이언", "ryan@kakao.test"),
        ("4242424242", "어피치", "apeach@kakao.test"),
        ("9223372036854775807", "무지", "muzi@kakao.test"),
    ]

    var response: Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action *",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    var html: String {
        let hidden = carriedFields.sorted { $0.key < $1.key }.map {
            "<input type=\"hidden\" name=\"\($0.key.htmlEscaped)\" value=\"\($0.value.htmlEscaped)\">"
        }.joined(separator: "\n      ")
        let presetButtons = Self.presets.map {
            "<button type=\"button\" class=\"preset\" data-id=\"\($0.id)\" data-nickname=\"\($0.nickname)\" data-email=\"\($0.email)\">\($0.nickname)</button>"
        }.joined(separator: "\n        ")
        return """
            <!doctype html>
            <html lang="ko">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>카카오 로그인 (에뮬레이터) · Kakao login (emulator)</title>
            <style>
              :root { --yellow: #FEE500; --ink: #191919; --muted: #6b6b6b; --line: #e5e5e5; }
              * { box-sizing: border-box; }
              body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f6f6f6;
                     font: 15px/1.5 -apple-system, BlinkMacSystemFont, "Apple SD Gothic Neo", "Noto Sans KR", system-ui, sans-serif; color: var(--ink); }
              main { width: min(26rem, 100vw - 2rem); background: #fff; border-radius: 16px; box-shadow: 0 8px 30px rgba(0,0,0,.08); overflow: hidden; }
              header { background: var(--yellow); padding: 1.25rem 1.5rem; }
              header h1 { margin: 0; font-size: 1.15rem; }
              header p { margin: .25rem 0 0; font-size: .85rem; }
              form { padding: 1.25rem 1.5rem 1.5rem; display: grid; gap: .9rem; }
              label { display: grid; gap: .3rem; font-weight: 600; font-size: .9rem; }
              label small, .hint { font-weight: 400; color: var(--muted); font-size: .8rem; }
              input[type=text], input[type=email] { font: inherit; font-weight: 400; padding: .6rem .7rem; border: 1px solid var(--line); border-radius: 8px; }
              .check { display: flex; gap: .5rem; align-items: center; font-weight: 400; }
              .presets { display: flex; gap: .5rem; flex-wrap: wrap; }
              .preset { font: inherit; border: 1px solid var(--line); background: #fafafa; border-radius: 999px; padding: .3rem .8rem; cursor: pointer; }
              .actions { display: grid; grid-template-columns: 1fr 2fr; gap: .6rem; margin-top: .4rem; }
              .actions button { font: inherit; font-weight: 700; padding: .75rem; border-radius: 10px; border: 0; cursor: pointer; }
              #approve { background: var(--yellow); color: var(--ink); }
              #cancel { background: #f0f0f0; color: var(--muted); }
            </style>
            </head>
            <body>
            <main>
              <header>
                <h1>카카오 로그인 에뮬레이터</h1>
                <p>Kakao login emulator — no Kakao account needed. 테스트 사용자를 고르거나 입력하세요.</p>
              </header>
              <form method="post" action="/oauth/authorize">
                  \(hidden)
                <div>
                  <div class="hint">테스트 사용자 · Test users</div>
                  <div class="presets">
                    \(presetButtons)
                  </div>
                </div>
                <label>닉네임 · Nickname <input type="text" name="nickname" id="nickname" value="라이언" maxlength="40"></label>
                <label>이메일 · Email <input type="email" name="email" id="email" value="ryan@kakao.test"></label>
                <label class="check"><input type="checkbox" name="share_email" id="share_email" checked> 이메일 제공에 동의 · Share my email</label>
                <label class="check"><input type="checkbox" name="email_verified" id="email_verified" checked> 인증된 이메일 · Email is verified</label>
                <label>카카오 회원번호 · Kakao user id
                  <input type="text" name="kakao_id" id="kakao_id" value="9007199254740993" inputmode="numeric" pattern="[0-9]*">
                  <small>비워 두면 무작위 64비트 번호 · Leave empty for a random 64-bit id</small>
                </label>
                <div class="actions">
                  <button type="submit" name="decision" value="cancel" id="cancel">취소 · Cancel</button>
                  <button type="submit" name="decision" value="approve" id="approve">동의하고 계속하기 · Agree</button>
                </div>
              </form>
            </main>
            <script>
              for (const button of document.querySelectorAll(".preset")) {
                button.addEventListener("click", () => {
                  document.getElementById("kakao_id").value = button.dataset.id;
                  document.getElementById("nickname").value = button.dataset.nickname;
                  document.getElementById("email").value = button.dataset.email;
                });
              }
            </script>
            </body>
            </html>
            """
    }
}
