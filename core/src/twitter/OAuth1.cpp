// OAuth 1.0a signing (RFC 5849); see OAuth1.h for why it is shaped so.
#include "birdgate/twitter/OAuth1.h"

#include "birdgate/common/Random.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

namespace birdgate::oauth1
{
namespace
{
const char HEX[] = "0123456789ABCDEF";

// Unreserved characters of RFC 3986 2.3, precomputed once.
struct Unreserved
{
    bool table[256] = {};
    Unreserved()
    {
        for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
        for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
        for (int c = '0'; c <= '9'; ++c) table[c] = true;
        table[static_cast<unsigned char>('-')] = table[static_cast<unsigned char>('.')] = true;
        table[static_cast<unsigned char>('_')] = table[static_cast<unsigned char>('~')] = true;
    }
};
const Unreserved UNRESERVED;

int hexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string base64(const unsigned char* data, size_t len)
{
    std::string out(4 * ((len + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
    out.resize(static_cast<size_t>(n));
    return out;
}

// One HMAC context per digest and thread, its digest set once: OpenSSL 3's
// one-shot HMAC() fetches the algorithm from the provider (a locked lookup)
// on every call, which showed in the profile of every signed request.
EVP_MAC_CTX* macContext(SignatureMethod method)
{
    struct Contexts
    {
        EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        EVP_MAC_CTX* ctx[3] = {};
        ~Contexts()
        {
            for (auto* c : ctx) EVP_MAC_CTX_free(c);
            EVP_MAC_free(mac);
        }
    };
    thread_local Contexts contexts;
    int index = method == SignatureMethod::HmacSha256 ? 1 : method == SignatureMethod::HmacSha512 ? 2 : 0;
    EVP_MAC_CTX*& ctx = contexts.ctx[index];
    if (!ctx && contexts.mac)
    {
        static const char* const DIGESTS[] = {"SHA1", "SHA256", "SHA512"};
        ctx = EVP_MAC_CTX_new(contexts.mac);
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", const_cast<char*>(DIGESTS[index]), 0),
                               OSSL_PARAM_construct_end()};
        if (ctx && !EVP_MAC_CTX_set_params(ctx, params))
        {
            EVP_MAC_CTX_free(ctx);
            ctx = nullptr;
        }
    }
    return ctx;
}

std::string trim(std::string_view s)
{
    size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
    return std::string(s.substr(b, e - b));
}
} // namespace

std::string base64(std::string_view bytes)
{
    return base64(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

const char* signatureMethodName(SignatureMethod method)
{
    switch (method)
    {
    case SignatureMethod::HmacSha1:
        return "HMAC-SHA1";
    case SignatureMethod::HmacSha256:
        return "HMAC-SHA256";
    case SignatureMethod::HmacSha512:
        return "HMAC-SHA512";
    }
    return "HMAC-SHA1";
}

SignatureMethod parseSignatureMethod(std::string_view name)
{
    if (name == "HMAC-SHA1") return SignatureMethod::HmacSha1;
    if (name == "HMAC-SHA256") return SignatureMethod::HmacSha256;
    if (name == "HMAC-SHA512") return SignatureMethod::HmacSha512;
    throw std::invalid_argument("unsupported oauth_signature_method '" + std::string(name) +
                                "' (expected HMAC-SHA1, HMAC-SHA256 or HMAC-SHA512)");
}

void percentEncodeTo(std::string& out, std::string_view text)
{
    // Runs of unreserved characters are copied whole (this runs several
    // times per parameter of every signed request).
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n)
    {
        std::size_t j = i;
        while (j < n && UNRESERVED.table[static_cast<unsigned char>(text[j])]) ++j;
        out.append(text.data() + i, j - i);
        if (j == n) break;
        const auto c = static_cast<unsigned char>(text[j]);
        const char escaped[3] = {'%', HEX[c >> 4], HEX[c & 15]};
        out.append(escaped, 3);
        i = j + 1;
    }
}

std::string percentEncode(std::string_view text)
{
    std::string out;
    out.reserve(text.size() * 3 / 2 + 8);
    percentEncodeTo(out, text);
    return out;
}

bool percentDecode(std::string_view text, std::string& out, bool plusIsSpace)
{
    out.clear();
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i)
    {
        char c = text[i];
        if (c == '%')
        {
            if (i + 2 >= text.size()) return false;
            int hi = hexValue(text[i + 1]);
            int lo = hexValue(text[i + 2]);
            if (hi < 0 || lo < 0) return false;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        }
        else if (c == '+' && plusIsSpace)
        {
            out.push_back(' ');
        }
        else
        {
            out.push_back(c);
        }
    }
    return true;
}

bool parseForm(std::string_view text, Params& out)
{
    size_t pos = 0;
    while (pos <= text.size())
    {
        size_t amp = text.find('&', pos);
        if (amp == std::string_view::npos) amp = text.size();
        std::string_view pair = text.substr(pos, amp - pos);
        if (!pair.empty())
        {
            size_t eq = pair.find('=');
            std::string name, value;
            if (!percentDecode(pair.substr(0, eq), name, true)) return false;
            if (eq != std::string_view::npos && !percentDecode(pair.substr(eq + 1), value, true)) return false;
            out.emplace_back(std::move(name), std::move(value));
        }
        pos = amp + 1;
    }
    return true;
}

std::string encodeForm(const Params& params)
{
    std::string out;
    for (const auto& [name, value] : params)
    {
        if (!out.empty()) out.push_back('&');
        percentEncodeTo(out, name);
        out.push_back('=');
        percentEncodeTo(out, value);
    }
    return out;
}

std::string baseUrl(std::string_view scheme, std::string_view host, int port, std::string_view path)
{
    std::string out;
    out.reserve(scheme.size() + host.size() + path.size() + 10);
    for (char c : scheme) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    out += "://";
    for (char c : host) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    bool defaultPort = port <= 0 || (port == 80 && scheme == "http") || (port == 443 && scheme == "https");
    if (!defaultPort)
    {
        out.push_back(':');
        out += std::to_string(port);
    }
    out += path.empty() ? std::string_view("/") : path;
    return out;
}

std::string normalizeParams(const Params& params)
{
    std::vector<std::pair<std::string, std::string>> encoded;
    encoded.reserve(params.size());
    for (const auto& [name, value] : params) encoded.emplace_back(percentEncode(name), percentEncode(value));
    std::sort(encoded.begin(), encoded.end());
    std::string out;
    for (const auto& [name, value] : encoded)
    {
        if (!out.empty()) out.push_back('&');
        out += name;
        out.push_back('=');
        out += value;
    }
    return out;
}

std::string signatureBaseString(std::string_view method, std::string_view url, const Params& params)
{
    std::string out;
    for (char c : method) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    out.push_back('&');
    percentEncodeTo(out, url);
    out.push_back('&');
    percentEncodeTo(out, normalizeParams(params));
    return out;
}

std::string sign(SignatureMethod method, std::string_view baseString, std::string_view consumerSecret,
                 std::string_view tokenSecret)
{
    std::string key = percentEncode(consumerSecret);
    key.push_back('&');
    percentEncodeTo(key, tokenSecret);
    unsigned char md[EVP_MAX_MD_SIZE];
    std::size_t mdLen = 0;
    EVP_MAC_CTX* ctx = macContext(method);
    if (!ctx || !EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr) ||
        !EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(baseString.data()), baseString.size()) ||
        !EVP_MAC_final(ctx, md, &mdLen, sizeof md))
        throw std::runtime_error("HMAC failed");
    return base64(md, static_cast<unsigned>(mdLen));
}

bool constantTimeEquals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

std::string makeNonce()
{
    static const char ALNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char raw[32];
    randomBytes(raw, sizeof raw);
    std::string out(32, 'x');
    for (size_t i = 0; i < 32; ++i) out[i] = ALNUM[raw[i] % 62];
    return out;
}

std::string authorizationHeader(std::string_view method, std::string_view url, const Params& params,
                                const Credentials& creds, const Params& extraOAuth, std::string_view nonce,
                                long long timestamp)
{
    if (timestamp == 0)
        timestamp =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
    Params oauth;
    oauth.reserve(8 + extraOAuth.size());
    oauth.emplace_back("oauth_consumer_key", creds.consumerKey);
    oauth.emplace_back("oauth_nonce", nonce.empty() ? makeNonce() : std::string(nonce));
    oauth.emplace_back("oauth_signature_method", signatureMethodName(creds.method));
    oauth.emplace_back("oauth_timestamp", std::to_string(timestamp));
    if (!creds.token.empty()) oauth.emplace_back("oauth_token", creds.token);
    oauth.emplace_back("oauth_version", "1.0");
    for (const auto& p : extraOAuth) oauth.push_back(p);

    Params all;
    all.reserve(params.size() + oauth.size());
    all.insert(all.end(), params.begin(), params.end());
    all.insert(all.end(), oauth.begin(), oauth.end());
    std::string signature =
        sign(creds.method, signatureBaseString(method, url, all), creds.consumerSecret, creds.tokenSecret);
    oauth.emplace_back("oauth_signature", std::move(signature));

    std::string header = "OAuth ";
    bool first = true;
    for (const auto& [name, value] : oauth)
    {
        if (!first) header += ", ";
        first = false;
        percentEncodeTo(header, name);
        header += "=\"";
        percentEncodeTo(header, value);
        header.push_back('"');
    }
    return header;
}

bool parseAuthorizationHeader(std::string_view header, Params& out)
{
    std::string_view h = header;
    while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
    if (h.size() < 6) return false;
    std::string scheme(h.substr(0, 5));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
    if (scheme != "oauth" || (h[5] != ' ' && h[5] != '\t')) return false;
    h.remove_prefix(6);
    out.clear();
    while (true)
    {
        while (!h.empty() && (h.front() == ' ' || h.front() == '\t' || h.front() == ',')) h.remove_prefix(1);
        if (h.empty()) break;
        size_t eq = h.find('=');
        if (eq == std::string_view::npos) return false;
        std::string name = trim(h.substr(0, eq));
        h.remove_prefix(eq + 1);
        while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
        std::string raw;
        if (!h.empty() && h.front() == '"')
        {
            size_t close = h.find('"', 1);
            if (close == std::string_view::npos) return false;
            raw = std::string(h.substr(1, close - 1));
            h.remove_prefix(close + 1);
        }
        else
        {
            size_t comma = h.find(',');
            raw = trim(h.substr(0, comma));
            h.remove_prefix(comma == std::string_view::npos ? h.size() : comma);
        }
        std::string dname, dvalue;
        if (name.empty() || !percentDecode(name, dname, false) || !percentDecode(raw, dvalue, false)) return false;
        out.emplace_back(std::move(dname), std::move(dvalue));
        while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
        if (!h.empty() && h.front() != ',') return false;
    }
    return !out.empty();
}

} // namespace birdgate::oauth1
