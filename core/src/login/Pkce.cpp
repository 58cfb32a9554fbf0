// PKCE helpers; see Pkce.h.
#include "login/Pkce.h"

#include "birdgate/twitter/OAuth1.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <stdexcept>

namespace birdgate::pkce
{
namespace
{
std::string randomBytes(std::size_t n)
{
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("no random bytes from the CSPRNG");
    return out;
}
} // namespace

std::string base64Url(std::string_view bytes)
{
    std::string out = oauth1::base64(bytes);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out)
    {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return out;
}

std::string makeVerifier()
{
    return base64Url(randomBytes(32));
}

std::string challengeS256(std::string_view verifier)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
    return base64Url(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string makeState()
{
    return base64Url(randomBytes(32));
}

bool stateMatches(std::string_view kept, std::string_view given)
{
    return !kept.empty() && oauth1::constantTimeEquals(kept, given);
}

} // namespace birdgate::pkce
