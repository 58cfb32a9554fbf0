// FileHandler: serves static files (the demo page, jQuery) the Gramex way:
// `kwargs: {path: $YAMLPATH/static/}` with the pattern's first group as the
// file below that folder, or `path:` naming one file. Paths are confined to
// the folder (no "..", no encoded separators, no hidden files).
//
// Files are streamed, never held whole: stat, open and each read of at most
// PIECE_BYTES run on the worker pool (they block), and each piece is written
// with Answer::write before the next is read, so a request holds one piece
// of memory however large the file and however slow the client; a write that
// fails (the client left or stopped reading) ends the request.
#pragma once

#include "birdgate/server/Endpoint.h"
#include "birdgate/server/Services.h"

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace birdgate
{

class FileHandler : public Endpoint
{
  public:
    /// The most read from a file, and written, at once.
    static constexpr std::size_t PIECE_BYTES = 64 * 1024;

    /// Blocking file work goes to services.workers (inline when it is null).
    FileHandler(const UrlEntry& entry, const Services& services);

    Task<void> serve(Request& request, Answer& answer, const RouteMatch& match) override;

    /// Content type for a file name, by extension.
    static std::string contentType(const std::string& fileName);

  private:
    template <class F> Task<std::invoke_result_t<F>> blocking(F fn);

    std::string _root; // folder (ends in '/') or a single file
    bool _isFile = false;
    std::string _index;
    std::vector<std::pair<std::string, std::string>> _headers;
    std::shared_ptr<WorkerPool> _workers;
};

} // namespace birdgate
