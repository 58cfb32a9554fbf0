// A Store decorator that seals every value with a SecretBox before it reaches
// the backend, so a copied SQLite file or a shared Redis holds no usable
// token. Keys stay in clear (callers use opaque random ids, never secrets, as
// keys) so lookups and expiry still work in the backend.
//
// Each value is bound to its row ("<ns>\0<key>" as authenticated data): a
// sealed session copied under another id does not open there. A value that
// does not open (tampered, or written under another secret) reads as absent,
// which sends the user to log in again instead of failing the request.
#pragma once

#include "birdgate/session/Store.h"
#include "session/SecretBox.h"

#include <memory>

namespace birdgate
{

class EncryptedStore : public Store
{
  public:
    EncryptedStore(std::shared_ptr<Store> inner, const SecretBox& box);

    std::optional<std::string> get(const std::string& ns, const std::string& key) override;
    void put(const std::string& ns, const std::string& key, const std::string& value, TimePoint expires) override;
    void erase(const std::string& ns, const std::string& key) override;
    std::size_t purgeExpired() override;

    /// The backend, e.g. for tests that look at the raw rows.
    const std::shared_ptr<Store>& inner() const { return _inner; }

  private:
    static std::string context(const std::string& ns, const std::string& key);

    std::shared_ptr<Store> _inner;
    const SecretBox _box;
};

} // namespace birdgate
