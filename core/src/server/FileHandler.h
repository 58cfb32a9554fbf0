// FileHandler: serves static files (the demo page, jQuery) the Gramex way:
// `kwargs: {path: $YAMLPATH/static/}` with the pattern's first group as the
// file below that folder, or `path:` naming one file. Paths are confined to
// the folder (no "..", no encoded separators, no hidden files).
#pragma once

#include "birdgate/server/LegacyEndpoint.h"
#include "birdgate/server/Services.h"

#include <string>
#include <utility>
#include <vector>

namespace birdgate
{

class FileHandler : public LegacyEndpoint
{
public:
    FileHandler(const UrlEntry& entry, const Services& services);

    void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                const RouteMatch& match) override;

    /// Content type for a file name, by extension.
    static std::string contentType(const std::string& fileName);

private:
    std::string _root;      // folder (ends in '/') or a single file
    bool _isFile = false;
    std::string _index;
    std::vector<std::pair<std::string, std::string>> _headers;
};

} // namespace birdgate
