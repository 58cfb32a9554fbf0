// Store::open, the one place that turns `app.store` and `app.secret` into a
// backend: the scheme picks SQLite or Redis, the secret decides whether values
// are sealed. Start-up calls it once and shares the result (Services).
#include "birdgate/session/Store.h"

#include "session/EncryptedStore.h"
#include "session/RedisStore.h"
#include "session/SecretBox.h"
#include "session/SqliteStore.h"

#include <stdexcept>

namespace birdgate
{

std::shared_ptr<Store> Store::open(const std::string& url, const std::string& secret,
                                   std::vector<std::string>* warnings)
{
    std::shared_ptr<Store> store;
    if (url.rfind("sqlite:", 0) == 0)
    {
        std::string path = url.substr(7);
        // sqlite:///abs/file.db names the same file as sqlite:/abs/file.db.
        if (path.rfind("//", 0) == 0) path.erase(0, 2);
        if (path.empty())
            throw std::invalid_argument("app.store: '" + url + "' names no file; expected sqlite:/path/file.db");
        store = std::make_shared<SqliteStore>(path);
    }
    else if (url.rfind("redis://", 0) == 0)
    {
        store = std::make_shared<RedisStore>(url);
    }
    else
    {
        // Name only the scheme: a url such as rediss://:password@host must not
        // carry its password into a log line.
        const auto colon = url.find(':');
        const std::string scheme = colon == std::string::npos ? url.substr(0, 32) : url.substr(0, colon);
        throw std::invalid_argument("app.store: unsupported store '" + scheme +
                                    ":...'; expected sqlite:/path/file.db or redis://host:port/db");
    }

    if (secret.empty())
    {
        if (warnings)
            warnings->push_back("app.secret is not set: sessions and persisted tokens are stored unencrypted");
        return store;
    }
    return std::make_shared<EncryptedStore>(std::move(store), SecretBox(secret));
}

} // namespace birdgate
