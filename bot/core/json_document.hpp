// A parsed JSON-with-comments file that remembers where every value and key came from.
//
// Contract: loaders of files people write (rule packs, config) parse them with json_document so
// that semantic mistakes (unknown key, wrong type, bad value) are reported as
// `FILE:LINE:COL: error: ...` like syntax errors are. Comments (`//`, `/* */`) are allowed.
// Places are addressed with JSON pointer strings ("/lexicons/insult/terms/0"); use child() to
// build them. Lines and columns are 1-based; columns count bytes. A document is immutable after
// parse() and may be read from several threads. Owner: the engine (rules engine helper).
// parse() never throws for bad input: it reports into `diagnostics` and returns nullopt.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/diagnostics.hpp"

namespace nudgebot::core {

struct text_position {
    std::uint32_t line = 0;     // 1-based; 0 = unknown
    std::uint32_t column = 0;   // 1-based, in bytes
};

class json_document {
public:
    // Deeper nesting than this is reported as an error (it protects the stack, not a real limit).
    static constexpr std::size_t max_depth = 256;

    // Parses `text`; on a syntax error reports `file_name:line:col: error: <what>` and returns
    // nullopt.
    static std::optional<json_document> parse(std::string_view text, std::string file_name,
                                              diagnostics& diags);

    json_document(json_document&&) noexcept;
    json_document& operator=(json_document&&) noexcept;
    ~json_document();

    const nlohmann::json& root() const noexcept;
    const std::string& file_name() const noexcept;

    // The value at `pointer`, or nullptr when there is none (never throws).
    const nlohmann::json* find(std::string_view pointer) const;

    // Where the value at `pointer` starts. For a place that does not exist, the nearest existing
    // ancestor's position (so "missing key" errors point at the enclosing object).
    text_position of(std::string_view pointer) const;
    // Where the key naming the member at `pointer` starts (its opening quote); the value's
    // position for array elements and the root.
    text_position key_position(std::string_view pointer) const;

    // Reports an error at the value / at the key of `pointer`.
    void error_at(std::string_view pointer, std::string message, diagnostics& diags) const;
    void error_at_key(std::string_view pointer, std::string message, diagnostics& diags) const;

    // --- typed reading; each reports "<path>: expected a <type>, got a <type>" on a wrong type.
    // Pointers to absent values return nullptr / nullopt without an error unless `required`,
    // which reports `missing required key "<key>" in <parent path>` at the enclosing object.
    const nlohmann::json* expect_object(std::string_view pointer, diagnostics& diags,
                                        bool required = false) const;
    const nlohmann::json* expect_array(std::string_view pointer, diagnostics& diags,
                                       bool required = false) const;
    const std::string* expect_string(std::string_view pointer, diagnostics& diags,
                                     bool required = false) const;
    std::optional<double> expect_number(std::string_view pointer, diagnostics& diags,
                                        bool required = false) const;
    std::optional<std::int64_t> expect_integer(std::string_view pointer, diagnostics& diags,
                                               bool required = false) const;
    std::optional<bool> expect_bool(std::string_view pointer, diagnostics& diags,
                                    bool required = false) const;

    // Reports every key of the object at `pointer` that is not in `allowed`, at the key:
    //   unknown key "lable" in lexicons.insult; did you mean "label"?
    //   unknown key "foo" at top level (allowed: a, b, c)
    // Returns true when all keys are allowed (or there is no object there).
    bool check_keys(std::string_view pointer, std::initializer_list<std::string_view> allowed,
                    diagnostics& diags) const;

    // Pointer building: child("/a", "b~c") == "/a/b~0c"; child("/a", 3) == "/a/3".
    static std::string child(std::string_view parent, std::string_view key);
    static std::string child(std::string_view parent, std::size_t index);
    // Human-readable path for messages: "/lexicons/insult/terms/3" -> "lexicons.insult.terms[3]"
    // (segments that index an array in this document get brackets); "" -> "top level".
    std::string display(std::string_view pointer) const;
    // "a string", "a number", ... for messages.
    static std::string_view type_name(const nlohmann::json& value);

    struct impl;   // opaque; public only so the parser's helpers can fill it

private:
    explicit json_document(std::unique_ptr<impl> state);
    // Fills the places of every value and key on first use (thread-safe; of() and key_position()
    // call it), so that a document nobody reports a mistake in never records them.
    void record_positions() const;
    std::unique_ptr<impl> impl_;
};

}  // namespace nudgebot::core
