// Verify a kakao-auth access token with nothing but its JWKS URL: node:crypto only (Node 18+).
import { createPublicKey, verify } from "node:crypto";

const DIGESTS = { EdDSA: null, ES256: "sha256" }; // what each algorithm hashes (Ed25519 hashes by itself)
let keys = new Map();
let fetchedAt = 0;

async function keyFor(jwksURL, kid) {
  if (!keys.has(kid) && Date.now() - fetchedAt > 60_000) { // an unknown kid: fetch again, at most once a minute
    const set = await (await fetch(jwksURL)).json();
    keys = new Map(set.keys.filter((jwk) => jwk.alg in DIGESTS)
      .map((jwk) => [jwk.kid, { alg: jwk.alg, key: createPublicKey({ key: jwk, format: "jwk" }) }]));
    fetchedAt = Date.now();
  }
  return keys.get(kid);
}

export async function verifyAccessToken(token, jwksURL, { issuer = "kakao-auth", audience = "kakao-auth" } = {}) {
  const [headerPart, payloadPart, signaturePart, ...extra] = String(token).split(".");
  if (extra.length > 0 || !signaturePart) throw new Error("not a compact JWS");
  const header = JSON.parse(Buffer.from(headerPart, "base64url"));
  const entry = await keyFor(jwksURL, header.kid);
  // The key's own algorithm from the JWKS: a token naming another (HS256, none) is refused.
  if (!entry || header.alg !== entry.alg || header.typ !== "at+jwt") throw new Error("not one of our access tokens");
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  // ES256 signatures are JOSE's r||s ("ieee-p1363"), not DER.
  if (!verify(DIGESTS[entry.alg], signed, { key: entry.key, dsaEncoding: "ieee-p1363" }, Buffer.from(signaturePart, "base64url"))) {
    throw new Error("bad signature");
  }
  const claims = JSON.parse(Buffer.from(payloadPart, "base64url"));
  const now = Date.now() / 1000;
  if (claims.iss !== issuer || claims.aud !== audience || !(now < claims.exp + 30) || !(claims.iat <= now + 30)) {
    throw new Error("not valid now, or not for this service");
  }
  return claims; // claims.sub: the user id
}

// Sorted, possibly empty; a token of a kakao-auth before roles has none. Missing: answer 403, not 401.
export function hasRole(claims, role) {
  return Array.isArray(claims.roles) && claims.roles.includes(role);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [token, jwksURL = "http://127.0.0.1:8080/.well-known/jwks.json", role] = process.argv.slice(2);
  if (!token) {
    console.error("usage: node verify-access-token.mjs ACCESS_TOKEN [JWKS_URL [ROLE]]");
    process.exit(2);
  }
  verifyAccessToken(token, jwksURL).then((claims) => {
    if (role !== undefined && !hasRole(claims, role)) {
      console.error(`${claims.sub} lacks the role ${role}`);
      process.exit(3);
    }
    console.log(claims.sub);
  }, (error) => {
    console.error(error.message);
    process.exit(1);
  });
}
