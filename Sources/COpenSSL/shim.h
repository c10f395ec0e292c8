#ifndef KAKAO_AUTH_COPENSSL_SHIM_H
#define KAKAO_AUTH_COPENSSL_SHIM_H

#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>  // one-shot HMAC(), the baseline the token benchmark compares against
#include <openssl/bn.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/pem.h>
#include <openssl/ec.h>
#include <openssl/err.h>

// OSSL_PARAM arrays are awkward to build from Swift; this keys an HMAC-SHA256 context once so that each
// signature only duplicates it (about 2.4x faster than the one-shot HMAC()).
static inline EVP_MAC_CTX *kakao_auth_hmac_sha256_new(const unsigned char *key, size_t key_length) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *context = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (context == NULL) return NULL;
    char digest[] = "SHA256";
    OSSL_PARAM parameters[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_init(context, key, key_length, parameters) != 1) {
        EVP_MAC_CTX_free(context);
        return NULL;
    }
    return context;
}

// An RSA public key from a JWK's big-endian modulus and exponent. NULL when OpenSSL refuses them.
static inline EVP_PKEY *kakao_auth_rsa_public_key(const unsigned char *modulus, size_t modulus_length,
                                                  const unsigned char *exponent, size_t exponent_length) {
    BIGNUM *n = BN_bin2bn(modulus, (int)modulus_length, NULL);
    BIGNUM *e = BN_bin2bn(exponent, (int)exponent_length, NULL);
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    OSSL_PARAM *parameters = NULL;
    EVP_PKEY_CTX *context = NULL;
    EVP_PKEY *key = NULL;
    if (n != NULL && e != NULL && builder != NULL
        && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, n) == 1
        && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, e) == 1
        && (parameters = OSSL_PARAM_BLD_to_param(builder)) != NULL
        && (context = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) != NULL
        && EVP_PKEY_fromdata_init(context) == 1
        && EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, parameters) != 1) {
        key = NULL;
    }
    EVP_PKEY_CTX_free(context);
    OSSL_PARAM_free(parameters);
    OSSL_PARAM_BLD_free(builder);
    BN_free(n);
    BN_free(e);
    return key;
}

// A new RSA key pair of `bits` bits (EVP_RSA_gen is a variadic macro, which Swift cannot call).
static inline EVP_PKEY *kakao_auth_rsa_generate(unsigned int bits) {
    return EVP_RSA_gen(bits);
}

// One of an RSA key's numbers (OSSL_PKEY_PARAM_RSA_N or _E), big-endian, into `output`; its length, or 0.
static inline size_t kakao_auth_rsa_number(const EVP_PKEY *key, const char *name, unsigned char *output, size_t capacity) {
    BIGNUM *number = NULL;
    if (EVP_PKEY_get_bn_param(key, name, &number) != 1) return 0;
    size_t length = (size_t)BN_num_bytes(number);
    if (length > capacity || BN_bn2bin(number, output) != (int)length) length = 0;
    BN_free(number);
    return length;
}

// RS256 (RSASSA-PKCS1-v1_5 with SHA-256): 1 when `signature` is valid for `message` under `key`.
static inline int kakao_auth_rs256_verify(EVP_PKEY *key, const unsigned char *message, size_t message_length,
                                          const unsigned char *signature, size_t signature_length) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    int valid = context != NULL
        && EVP_DigestVerifyInit(context, NULL, EVP_sha256(), NULL, key) == 1
        && EVP_DigestVerify(context, signature, signature_length, message, message_length) == 1;
    EVP_MD_CTX_free(context);
    return valid;
}

// RS256 signature of `message` into `signature` (capacity: the key's size in bytes); its length, or 0.
static inline size_t kakao_auth_rs256_sign(EVP_PKEY *key, const unsigned char *message, size_t message_length,
                                           unsigned char *signature, size_t capacity) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    size_t length = capacity;
    int signed_ = context != NULL
        && EVP_DigestSignInit(context, NULL, EVP_sha256(), NULL, key) == 1
        && EVP_DigestSign(context, signature, &length, message, message_length) == 1;
    EVP_MD_CTX_free(context);
    return signed_ ? length : 0;
}

// --- EdDSA (Ed25519) and ES256 (P-256) for our own tokens ---

#define KAKAO_AUTH_KEY_OTHER 0
#define KAKAO_AUTH_KEY_ED25519 1
#define KAKAO_AUTH_KEY_P256 2

// Never asks for a pass phrase: OpenSSL's default would prompt on the terminal for an encrypted key.
static inline int kakao_auth_no_pass_phrase(char *buffer, int size, int writing, void *context) {
    (void)buffer; (void)size; (void)writing; (void)context;
    return -1;
}

// A PEM private key (`private_key` 1) or SubjectPublicKeyInfo public key (0) from memory; NULL if it is not one.
static inline EVP_PKEY *kakao_auth_pem_key(const char *pem, size_t length, int private_key) {
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (bio == NULL) return NULL;
    EVP_PKEY *key = private_key ? PEM_read_bio_PrivateKey(bio, NULL, kakao_auth_no_pass_phrase, NULL)
                                : PEM_read_bio_PUBKEY(bio, NULL, kakao_auth_no_pass_phrase, NULL);
    BIO_free(bio);
    return key;
}

// Which of the two key types `key` is (P-256 only among the curves), or KAKAO_AUTH_KEY_OTHER.
static inline int kakao_auth_key_type(const EVP_PKEY *key) {
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) return KAKAO_AUTH_KEY_ED25519;
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return KAKAO_AUTH_KEY_OTHER;
    char group[64];
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) != 1) return KAKAO_AUTH_KEY_OTHER;
    return strcmp(group, "prime256v1") == 0 ? KAKAO_AUTH_KEY_P256 : KAKAO_AUTH_KEY_OTHER;
}

// A new key pair of `type`.
static inline EVP_PKEY *kakao_auth_generate_key(int type) {
    if (type == KAKAO_AUTH_KEY_ED25519) return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (type == KAKAO_AUTH_KEY_P256) return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    return NULL;
}

// The public key's JWK coordinates: Ed25519's 32-byte `x`; P-256's `x` and `y`, 32 bytes each. 1 on success.
static inline int kakao_auth_public_coordinates(const EVP_PKEY *key, unsigned char *x, unsigned char *y) {
    if (kakao_auth_key_type(key) == KAKAO_AUTH_KEY_ED25519) {
        size_t length = 32;
        return EVP_PKEY_get_raw_public_key(key, x, &length) == 1 && length == 32;
    }
    BIGNUM *bx = NULL, *by = NULL;
    int ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &bx) == 1 && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &by) == 1
        && BN_bn2binpad(bx, x, 32) == 32 && BN_bn2binpad(by, y, 32) == 32;
    BN_free(bx);
    BN_free(by);
    return ok;
}

// The private key's own bytes (Ed25519's seed, P-256's scalar), 32 of them; 1 on success.
static inline int kakao_auth_private_bytes(const EVP_PKEY *key, unsigned char *output) {
    if (kakao_auth_key_type(key) == KAKAO_AUTH_KEY_ED25519) {
        size_t length = 32;
        return EVP_PKEY_get_raw_private_key(key, output, &length) == 1 && length == 32;
    }
    BIGNUM *scalar = NULL;
    int ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &scalar) == 1 && BN_bn2binpad(scalar, output, 32) == 32;
    BN_clear_free(scalar);
    return ok;
}

// The key as PEM (PKCS#8 private key or SubjectPublicKeyInfo) into `output`; its length, or 0 if it does not fit.
static inline size_t kakao_auth_key_pem(EVP_PKEY *key, int private_key, char *output, size_t capacity) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return 0;
    int written = private_key ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) : PEM_write_bio_PUBKEY(bio, key);
    char *data = NULL;
    long length = BIO_get_mem_data(bio, &data);
    size_t copied = 0;
    if (written == 1 && length > 0 && (size_t)length <= capacity) {
        memcpy(output, data, (size_t)length);
        copied = (size_t)length;
    }
    if (length > 0) OPENSSL_cleanse(data, (size_t)length);  // a private key leaves no copy in freed memory
    BIO_free(bio);
    return copied;
}

// P-256's group order n and n/2, big-endian: a signature's s must be at most n/2 (low-S, see below).
static const unsigned char kakao_auth_p256_half_order[32] = {
    0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8,
};
static const unsigned char kakao_auth_p256_order[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

// The 64-byte JOSE signature (Ed25519's own; ES256's r||s, with s made low) of `message`. 1 on success.
// `type` is kakao_auth_key_type(key), found once when the key was loaded (its P-256 check reads a string
// parameter, which every signature would otherwise pay for).
static inline int kakao_auth_sign(EVP_PKEY *key, int type, const unsigned char *message, size_t message_length, unsigned char *signature) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context == NULL) return 0;
    int ok = 0;
    if (type == KAKAO_AUTH_KEY_ED25519) {
        size_t length = 64;
        ok = EVP_DigestSignInit(context, NULL, NULL, NULL, key) == 1
            && EVP_DigestSign(context, signature, &length, message, message_length) == 1 && length == 64;
    } else if (type == KAKAO_AUTH_KEY_P256) {
        unsigned char der[80];
        size_t length = sizeof der;
        if (EVP_DigestSignInit(context, NULL, EVP_sha256(), NULL, key) == 1
            && EVP_DigestSign(context, der, &length, message, message_length) == 1) {
            const unsigned char *cursor = der;
            ECDSA_SIG *parsed = d2i_ECDSA_SIG(NULL, &cursor, (long)length);
            BIGNUM *order = BN_bin2bn(kakao_auth_p256_order, 32, NULL);
            BIGNUM *half = BN_bin2bn(kakao_auth_p256_half_order, 32, NULL);
            BIGNUM *low = BN_new();
            if (parsed != NULL && order != NULL && half != NULL && low != NULL) {
                const BIGNUM *r = NULL, *s = NULL;
                ECDSA_SIG_get0(parsed, &r, &s);
                // (r, n - s) is as valid as (r, s); we always write the smaller, and refuse the larger.
                const BIGNUM *chosen = s;
                if (BN_cmp(s, half) > 0 && BN_sub(low, order, s) == 1) chosen = low;
                ok = BN_bn2binpad(r, signature, 32) == 32 && BN_bn2binpad(chosen, signature + 32, 32) == 32;
            }
            ECDSA_SIG_free(parsed);
            BN_free(order);
            BN_free(half);
            BN_free(low);
        }
    }
    EVP_MD_CTX_free(context);
    if (!ok) ERR_clear_error();
    return ok;
}

// 1 when the 64-byte JOSE `signature` is valid for `message` under `key`. ES256: r and s in [1, n - 1], s at
// most n/2 (a high-S twin of a valid signature is refused, so each token has one signature), and r||s is turned
// into the DER that OpenSSL verifies here, so a DER signature in the token never reaches it.
static inline int kakao_auth_verify(EVP_PKEY *key, int type, const unsigned char *message, size_t message_length, const unsigned char *signature) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context == NULL) return 0;
    int valid = 0;
    if (type == KAKAO_AUTH_KEY_ED25519) {
        valid = EVP_DigestVerifyInit(context, NULL, NULL, NULL, key) == 1
            && EVP_DigestVerify(context, signature, 64, message, message_length) == 1;
    } else if (type == KAKAO_AUTH_KEY_P256 && memcmp(signature + 32, kakao_auth_p256_half_order, 32) <= 0) {
        BIGNUM *r = BN_bin2bn(signature, 32, NULL);
        BIGNUM *s = BN_bin2bn(signature + 32, 32, NULL);
        ECDSA_SIG *parsed = ECDSA_SIG_new();
        unsigned char der[80];
        unsigned char *cursor = der;
        if (r != NULL && s != NULL && parsed != NULL && !BN_is_zero(r) && !BN_is_zero(s)
            && memcmp(signature, kakao_auth_p256_order, 32) < 0 && ECDSA_SIG_set0(parsed, r, s) == 1) {
            r = NULL;  // owned by `parsed` now
            s = NULL;
            int length = i2d_ECDSA_SIG(parsed, NULL);
            if (length > 0 && length <= (int)sizeof der && i2d_ECDSA_SIG(parsed, &cursor) == length) {
                valid = EVP_DigestVerifyInit(context, NULL, EVP_sha256(), NULL, key) == 1
                    && EVP_DigestVerify(context, der, (size_t)length, message, message_length) == 1;
            }
        }
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(parsed);
    }
    EVP_MD_CTX_free(context);
    // A refused signature is an answer, not an error: leave nothing on this thread's OpenSSL error queue.
    if (!valid) ERR_clear_error();
    return valid;
}

// A public key from a JWK's coordinates: Ed25519's 32-byte `x`, or P-256's `x` and `y` (32 bytes each, a point
// OpenSSL checks is on the curve). NULL when OpenSSL refuses them.
static inline EVP_PKEY *kakao_auth_public_key_from_coordinates(int type, const unsigned char *x, const unsigned char *y) {
    if (type == KAKAO_AUTH_KEY_ED25519) return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, 32);
    if (type != KAKAO_AUTH_KEY_P256) return NULL;
    unsigned char point[65];
    point[0] = 0x04;  // uncompressed
    memcpy(point + 1, x, 32);
    memcpy(point + 33, y, 32);
    char group[] = "prime256v1";
    OSSL_PARAM parameters[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *key = NULL;
    if (context == NULL || EVP_PKEY_fromdata_init(context) != 1 || EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, parameters) != 1) key = NULL;
    EVP_PKEY_CTX_free(context);
    // fromdata does not always check the point; a key whose point is not on the curve is refused here.
    if (key != NULL) {
        EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
        int valid = check != NULL && EVP_PKEY_public_check(check) == 1;
        EVP_PKEY_CTX_free(check);
        if (!valid) {
            EVP_PKEY_free(key);
            key = NULL;
        }
    }
    return key;
}

#endif
