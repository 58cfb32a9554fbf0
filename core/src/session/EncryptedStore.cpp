// Seals values on the way in and opens them on the way out; see
// EncryptedStore.h for why keys stay clear and values are bound to their row.
#include "session/EncryptedStore.h"

#include <stdexcept>

namespace birdgate
{

EncryptedStore::EncryptedStore(std::shared_ptr<Store> inner, const SecretBox& box) : _inner(std::move(inner)), _box(box)
{
    if (!_inner) throw std::invalid_argument("EncryptedStore: no backend store");
}

std::string EncryptedStore::context(const std::string& ns, const std::string& key)
{
    std::string out;
    out.reserve(ns.size() + 1 + key.size());
    out.append(ns).push_back('\0');
    out.append(key);
    return out;
}

std::optional<std::string> EncryptedStore::get(const std::string& ns, const std::string& key)
{
    const auto sealed = _inner->get(ns, key);
    if (!sealed) return std::nullopt;
    return _box.open(*sealed, context(ns, key));
}

void EncryptedStore::put(const std::string& ns, const std::string& key, const std::string& value, TimePoint expires)
{
    _inner->put(ns, key, _box.seal(value, context(ns, key)), expires);
}

void EncryptedStore::erase(const std::string& ns, const std::string& key)
{
    _inner->erase(ns, key);
}

std::size_t EncryptedStore::purgeExpired()
{
    return _inner->purgeExpired();
}

} // namespace birdgate
