// Authenticated encryption and signing keyed by `app.secret`.
//
// Stored sessions and persisted Twitter tokens are sealed here before they
// reach SQLite or Redis, so a copied database file or a shared Redis does not
// hand out access tokens. Two independent 256-bit keys are derived from the
// secret with HKDF-SHA256 (salt "birdgate", info "birdgate store v1" for
// encryption and "birdgate sign v1" for HMAC), so a signature never helps to
// forge a ciphertext or the other way round. HKDF does not stretch a weak
// passphrase: app.secret is meant to be a long random value
// (`openssl rand -base64 32`), as Tornado's cookie_secret is.
//
// Sealed format (binary, stored as a BLOB / Redis bulk string):
//
//     0x01 | nonce (12 bytes, random per seal) | ciphertext | GCM tag (16 bytes)
//
// AES-256-GCM through OpenSSL EVP. `context` is bound as additional
// authenticated data: the store passes "<ns>\0<key>" so a sealed value copied
// into another row does not open there.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace birdgate
{

class SecretBox
{
  public:
    static constexpr unsigned char VERSION = 0x01;
    static constexpr std::size_t NONCE_SIZE = 12;
    static constexpr std::size_t TAG_SIZE = 16;
    static constexpr std::size_t OVERHEAD = 1 + NONCE_SIZE + TAG_SIZE;

    /// Derives both keys from `secret`. Throws std::invalid_argument when it is
    /// empty (an empty secret would be a well-known key).
    explicit SecretBox(std::string_view secret);
    ~SecretBox();

    SecretBox(const SecretBox&) = default;
    SecretBox& operator=(const SecretBox&) = default;

    /// Encrypts and authenticates `plain` (any bytes, may be empty). Each call
    /// draws a fresh nonce, so sealing the same text twice gives different
    /// output. Throws std::runtime_error only if OpenSSL itself fails.
    std::string seal(std::string_view plain, std::string_view context = {}) const;

    /// The plaintext, or nullopt for anything that is not an untouched output
    /// of seal() under this secret and context: tampered, truncated, wrong
    /// key, wrong version, garbage. Never throws.
    std::optional<std::string> open(std::string_view sealed, std::string_view context = {}) const;

    /// HMAC-SHA256 of `data` under the signing key, as 43 characters of
    /// unpadded base64url (fits in a cookie as is).
    std::string sign(std::string_view data) const;

    /// Constant-time check of a signature made by sign(). Never throws.
    bool verify(std::string_view data, std::string_view signature) const;

  private:
    bool gcm(bool encrypt, const unsigned char* nonce, std::string_view context, const unsigned char* in,
             std::size_t size, unsigned char* out, unsigned char* tag) const;

    std::array<unsigned char, 32> _encKey{};
    std::array<unsigned char, 32> _macKey{};
};

} // namespace birdgate
