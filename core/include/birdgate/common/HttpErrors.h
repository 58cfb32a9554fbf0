// The JSON errors birdgate makes itself (DESIGN.md 3.7):
// {"errors":[{"code":<status>,"message":"..."}]} with a matching reason phrase,
// and the escaping every answer built from strings needs (JSON, HTML).
// fillJsonError() writes one into an Answer.
#pragma once

#include <string>
#include <string_view>

namespace birdgate
{

class Answer;

/// JSON string literal (with quotes) for `text`, escaping per RFC 8259.
std::string jsonQuote(std::string_view text);
void jsonQuoteTo(std::string& out, std::string_view text);

/// `text` safe inside HTML text and attribute values (& < > " ').
std::string htmlEscape(std::string_view text);

/// Body of a birdgate error: {"errors":[{"code":code,"message":message}]}
std::string errorBody(int code, std::string_view message);

/// Makes `answer` a buffered error answer: status, reason phrase = `reason`
/// (default: the standard phrase), Content-Type application/json, the JSON
/// body. Headers already set (Allow, WWW-Authenticate, Set-Cookie) stay.
void fillJsonError(Answer& answer, int status, std::string_view message, std::string_view reason = {});

} // namespace birdgate
