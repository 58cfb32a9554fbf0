// AES-256-GCM sealing and HMAC-SHA256 signing for values kept at rest.
// See SecretBox.h for the format and the key derivation; everything here is a
// thin, defensive wrapper over OpenSSL EVP: open() and verify() treat every
// OpenSSL failure as "not authentic" and never throw.
#include "session/SecretBox.h"

#include <Poco/Base64Encoder.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace birdgate
{

namespace
{

constexpr std::string_view KDF_SALT = "birdgate";
constexpr std::string_view ENC_INFO = "birdgate store v1";
constexpr std::string_view MAC_INFO = "birdgate sign v1";

struct CipherCtxFree
{
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

void hkdf(std::string_view secret, std::string_view info, std::array<unsigned char, 32>& out)
{
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    if (!kdf) throw std::runtime_error("SecretBox: OpenSSL has no HKDF");
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (!ctx) throw std::runtime_error("SecretBox: cannot create the HKDF context");

    // OSSL_PARAM wants non-const pointers even for inputs it only reads.
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(KDF_SALT.data()), KDF_SALT.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
        OSSL_PARAM_construct_end()};
    const int ok = EVP_KDF_derive(ctx, out.data(), out.size(), params);
    EVP_KDF_CTX_free(ctx);
    if (ok != 1) throw std::runtime_error("SecretBox: HKDF derivation failed");
}

const unsigned char* bytes(std::string_view s)
{
    return reinterpret_cast<const unsigned char*>(s.data());
}

std::string base64Url(const unsigned char* data, std::size_t size)
{
    std::ostringstream out;
    Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    encoder.close();
    return out.str();
}

} // namespace

SecretBox::SecretBox(std::string_view secret)
{
    if (secret.empty()) throw std::invalid_argument("SecretBox: the secret must not be empty");
    hkdf(secret, ENC_INFO, _encKey);
    hkdf(secret, MAC_INFO, _macKey);
}

SecretBox::~SecretBox()
{
    OPENSSL_cleanse(_encKey.data(), _encKey.size());
    OPENSSL_cleanse(_macKey.data(), _macKey.size());
}

bool SecretBox::gcm(bool encrypt, const unsigned char* nonce, std::string_view context, const unsigned char* in,
                    std::size_t size, unsigned char* out, unsigned char* tag) const
{
    // One code path for both directions; sizes were checked to fit an int.
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return false;
    if (EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt ? 1 : 0) != 1) return false;
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(NONCE_SIZE), nullptr) != 1)
        return false;
    if (EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, _encKey.data(), nonce, encrypt ? 1 : 0) != 1) return false;
    int len = 0;
    if (!context.empty() &&
        EVP_CipherUpdate(ctx.get(), nullptr, &len, bytes(context), static_cast<int>(context.size())) != 1)
        return false;
    if (EVP_CipherUpdate(ctx.get(), out, &len, in, static_cast<int>(size)) != 1) return false;
    const int written = len;
    if (!encrypt && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(TAG_SIZE), tag) != 1)
        return false;
    // For decryption this is where a wrong tag is detected.
    if (EVP_CipherFinal_ex(ctx.get(), out + written, &len) != 1) return false;
    if (static_cast<std::size_t>(written + len) != size) return false;
    return !encrypt || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(TAG_SIZE), tag) == 1;
}

std::string SecretBox::seal(std::string_view plain, std::string_view context) const
{
    if (plain.size() > static_cast<std::size_t>(INT32_MAX) - OVERHEAD || context.size() > INT32_MAX)
        throw std::invalid_argument("SecretBox: value too large to seal");

    std::string out(OVERHEAD + plain.size(), '\0');
    auto* p = reinterpret_cast<unsigned char*>(out.data());
    p[0] = VERSION;
    unsigned char* nonce = p + 1;
    unsigned char* cipher = nonce + NONCE_SIZE;
    unsigned char* tag = cipher + plain.size();
    if (RAND_bytes(nonce, static_cast<int>(NONCE_SIZE)) != 1)
        throw std::runtime_error("SecretBox: the random generator failed");

    if (!gcm(true, nonce, context, bytes(plain), plain.size(), cipher, tag))
        throw std::runtime_error("SecretBox: encryption failed");
    return out;
}

std::optional<std::string> SecretBox::open(std::string_view sealed, std::string_view context) const
{
    if (sealed.size() < OVERHEAD || static_cast<unsigned char>(sealed[0]) != VERSION) return std::nullopt;
    if (sealed.size() > static_cast<std::size_t>(INT32_MAX) || context.size() > INT32_MAX) return std::nullopt;

    const unsigned char* nonce = bytes(sealed) + 1;
    const unsigned char* cipher = nonce + NONCE_SIZE;
    const std::size_t cipherSize = sealed.size() - OVERHEAD;
    // OpenSSL's SET_TAG takes a non-const buffer; give it a copy.
    std::array<unsigned char, TAG_SIZE> tag{};
    std::copy(cipher + cipherSize, cipher + cipherSize + TAG_SIZE, tag.begin());

    std::string plain(cipherSize, '\0');
    if (!gcm(false, nonce, context, cipher, cipherSize, reinterpret_cast<unsigned char*>(plain.data()), tag.data()))
    {
        // Do not leave a half-decrypted unauthenticated text lying around.
        OPENSSL_cleanse(plain.data(), plain.size());
        return std::nullopt;
    }
    return plain;
}

std::string SecretBox::sign(std::string_view data) const
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int macLen = 0;
    if (!HMAC(EVP_sha256(), _macKey.data(), static_cast<int>(_macKey.size()), bytes(data), data.size(), mac, &macLen))
        throw std::runtime_error("SecretBox: HMAC failed");
    return base64Url(mac, macLen);
}

bool SecretBox::verify(std::string_view data, std::string_view signature) const
{
    std::string expected;
    try
    {
        expected = sign(data);
    }
    catch (...)
    {
        return false;
    }
    return signature.size() == expected.size() &&
           CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
}

} // namespace birdgate
