// `nudgebot analyze --jsonl`: one JSON object in, one JSON object out, per line, in order.
//
// Contract (other tools rely on it, see verbs.hpp and issue 2):
//   in:  {"id": <any>, "text": "<string>", ...other fields ignored}
//   out: {"id":<id>,"flags":{"conflict":b,"distress":b,"crisis":b},
//         "scores":{"conflict":x,"distress":y,"crisis":z},
//         "cues":[{"rule":"…","category":"…","label":"…","span":[b,e]}]}
//   bad line: {"id":<id or null>,"error":"<what is wrong, never the line's text>"}
// `id` is echoed as given (string, number, boolean, object or array) and is null when absent.
// Spans are byte offsets into the decoded text. After the last line a summary goes to stderr.
// Exit code: 0 when every line was analysed, 1 when some line was bad, 2 when the packs or
// options are unusable.
//
// Speed matters (target ≥ 200,000 lines/s for ~100-byte texts on one core): lines are parsed with
// simdjson when built with it (full validation, UTF-8 included, about a gigabyte per second);
// anything unusual (a bad line, an id that is a float, object or array) is parsed again with
// nlohmann's SAX reader, which gives the precise error and echoes such ids as written. The analysis object and all
// buffers are reused; output is written by hand into one buffer flushed in 256 KiB blocks.
#include "app/verbs.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>
#if NUDGEBOT_HAVE_SIMDJSON
#include <simdjson.h>
#endif

#include "app/cli_json.hpp"
#include "engine/analyzer.hpp"

namespace nudgebot::app {

namespace {

using nlohmann::json;

constexpr std::size_t max_line_bytes = std::size_t{16} << 20;
constexpr std::size_t flush_bytes = std::size_t{256} << 10;

// The fast path: simdjson's DOM parser, reused for every line. Returns false for anything it
// does not handle itself (the caller then asks line_reader): invalid JSON, not an object, no
// string "text", or an id that is not a string, integer, boolean or null.
#if NUDGEBOT_HAVE_SIMDJSON
constexpr std::size_t read_padding = simdjson::SIMDJSON_PADDING;
class fast_line_reader {
public:
    bool read(const char* data, std::size_t size, std::string& id_json, std::string_view& text)
    {
        simdjson::dom::element root;
        if (parser_.parse(data, size, false).get(root) != simdjson::SUCCESS) return false;
        simdjson::dom::object object;
        if (root.get_object().get(object) != simdjson::SUCCESS) return false;
        bool has_text = false;
        id_json.assign("null");
        // Every field in order, so that a repeated key behaves as in the slow path: last wins.
        for (const auto field : object) {
            if (field.key == "text") {
                if (field.value.get_string().get(text) != simdjson::SUCCESS) return false;
                has_text = true;
            } else if (field.key == "id") {
                switch (field.value.type()) {
                case simdjson::dom::element_type::STRING:
                    id_json.clear();
                    append_json_string(id_json, field.value.get_string().value_unsafe());
                    break;
                case simdjson::dom::element_type::INT64:
                    id_json.clear();
                    append_json_number(id_json, field.value.get_int64().value_unsafe());
                    break;
                case simdjson::dom::element_type::UINT64:
                    id_json.clear();
                    append_json_number(id_json, field.value.get_uint64().value_unsafe());
                    break;
                case simdjson::dom::element_type::BOOL:
                    id_json.assign(field.value.get_bool().value_unsafe() ? "true" : "false");
                    break;
                case simdjson::dom::element_type::NULL_VALUE:
                    id_json.assign("null");
                    break;
                default:
                    return false;   // floats, objects, arrays: echoed as written by the slow path
                }
            }
        }
        return has_text;
    }

private:
    simdjson::dom::parser parser_;
};
#else
constexpr std::size_t read_padding = 0;
// Built without libsimdjson-dev: every line takes the nlohmann path.
class fast_line_reader {
public:
    bool read(const char*, std::size_t, std::string&, std::string_view&) { return false; }
};
#endif

// The slow path. What a line's SAX events told us. Only top-level "text" and "id" are kept; everything else is
// validated by the parser and dropped.
class line_reader {
public:
    enum class outcome { ok, not_json, not_object, no_text, text_not_string };

    // Parses one line; on success text() holds the decoded text.
    outcome read(std::string_view line)
    {
        depth_ = 0;
        field_ = field::other;
        root_seen_ = false;
        root_is_object_ = false;
        has_text_ = false;
        text_wrong_type_ = false;
        id_json_.assign("null");
        id_complex_ = false;
        error_.clear();
        const bool parsed = json::sax_parse(line.data(), line.data() + line.size(), this);
        if (!parsed) return outcome::not_json;
        if (!root_is_object_) return outcome::not_object;
        if (id_complex_) render_complex_id(line);
        if (text_wrong_type_) return outcome::text_not_string;
        if (!has_text_) return outcome::no_text;
        return outcome::ok;
    }

    std::string_view text() const noexcept { return text_; }
    const std::string& id_json() const noexcept { return id_json_; }
    const std::string& error() const noexcept { return error_; }

    // --- nlohmann SAX interface (called by json::sax_parse).
    bool null() { return scalar([&] { id_json_.assign("null"); }); }
    bool boolean(bool value)
    {
        return scalar([&] { id_json_.assign(value ? "true" : "false"); });
    }
    bool number_integer(json::number_integer_t value)
    {
        return scalar([&] {
            id_json_.clear();
            append_json_number(id_json_, static_cast<std::int64_t>(value));
        });
    }
    bool number_unsigned(json::number_unsigned_t value)
    {
        return scalar([&] {
            id_json_.clear();
            append_json_number(id_json_, static_cast<std::uint64_t>(value));
        });
    }
    bool number_float(json::number_float_t, const json::string_t& literal)
    {
        return scalar([&] { id_json_.assign(literal); });   // as written: 1.50 stays 1.50
    }
    bool string(json::string_t& value)
    {
        if (depth_ == 1 && field_ == field::text) {
            text_.swap(value);   // take the parser's buffer instead of copying it
            has_text_ = true;
            text_wrong_type_ = false;
            return true;
        }
        return scalar([&] {
            id_json_.clear();
            append_json_string(id_json_, value);
        });
    }
    bool binary(json::binary_t&) { return true; }   // never produced by the JSON reader
    bool start_object(std::size_t) { return open(true); }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(false); }
    bool end_array() { return close(); }
    bool key(json::string_t& name)
    {
        if (depth_ == 1) {
            field_ = name == "text" ? field::text : name == "id" ? field::id : field::other;
        }
        return true;
    }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex)
    {
        // The parser's own message quotes the input ("last read: ..."), which may be message
        // text, so only its kind and the byte offset are kept.
        const std::string_view what = ex.what();
        const char* kind = "syntax error";
        if (what.find("UTF-8") != std::string_view::npos) {
            kind = "invalid UTF-8";
        } else if (what.find("control character") != std::string_view::npos) {
            kind = "unescaped control character in a string";
        } else if (what.find("unexpected end of input") != std::string_view::npos) {
            kind = "unexpected end of line";
        }
        error_ = "not valid JSON: ";
        error_ += kind;
        error_ += " near byte ";
        error_ += std::to_string(position);
        return false;
    }

private:
    enum class field { other, text, id };

    // A value that is not an object or array: the root, a top-level field or something nested.
    template <typename Assign>
    bool scalar(Assign assign)
    {
        if (depth_ == 0) {
            root_seen_ = true;   // a bare scalar line: valid JSON, but not an object
            return true;
        }
        if (depth_ == 1) {
            if (field_ == field::id) {
                assign();
                id_complex_ = false;
            } else if (field_ == field::text) {
                has_text_ = false;
                text_wrong_type_ = true;
            }
        }
        return true;
    }

    bool open(bool object)
    {
        if (depth_ == 0) {
            root_seen_ = true;
            root_is_object_ = object;
        } else if (depth_ == 1) {
            if (field_ == field::id) {
                id_complex_ = true;
            } else if (field_ == field::text) {
                has_text_ = false;
                text_wrong_type_ = true;
            }
        }
        ++depth_;
        return true;
    }

    bool close()
    {
        --depth_;
        return true;
    }

    // Rare: an id that is an object or array. Re-read the line as a DOM to echo it faithfully.
    void render_complex_id(std::string_view line)
    {
        auto doc = json::parse(line.begin(), line.end(), nullptr, false);
        id_json_.assign("null");
        if (doc.is_object()) {
            if (auto it = doc.find("id"); it != doc.end()) {
                id_json_ = it->dump(-1, ' ', false, json::error_handler_t::replace);
            }
        }
    }

    int depth_ = 0;
    field field_ = field::other;
    bool root_seen_ = false;
    bool root_is_object_ = false;
    bool has_text_ = false;
    bool text_wrong_type_ = false;
    bool id_complex_ = false;
    std::string text_;
    std::string id_json_ = "null";
    std::string error_;
};

// Writes results into one buffer; cue fragments that only depend on the rule are escaped once.
class result_writer {
public:
    explicit result_writer(std::ostream& out) : out_(out) { buffer_.reserve(flush_bytes + 4096); }

    void write_analysis(const std::string& id_json, const engine::analysis& result)
    {
        static constexpr std::array<std::string_view, engine::reported_category_count> names{
            "conflict", "distress", "crisis"};
        buffer_ += "{\"id\":";
        buffer_ += id_json;
        buffer_ += ",\"flags\":{";
        for (std::size_t c = 0; c < names.size(); ++c) {
            if (c != 0) buffer_ += ',';
            buffer_ += '"';
            buffer_ += names[c];
            buffer_ += result.flags[c] ? "\":true" : "\":false";
        }
        buffer_ += "},\"scores\":{";
        for (std::size_t c = 0; c < names.size(); ++c) {
            if (c != 0) buffer_ += ',';
            buffer_ += '"';
            buffer_ += names[c];
            buffer_ += "\":";
            append_json_number(buffer_, result.scores[c]);
        }
        buffer_ += "},\"cues\":[";
        bool first = true;
        for (const auto& cue : result.cues) {
            if (!first) buffer_ += ',';
            first = false;
            buffer_ += cue_prefix(cue);
            append_json_number(buffer_, static_cast<std::uint64_t>(cue.span.begin));
            buffer_ += ',';
            append_json_number(buffer_, static_cast<std::uint64_t>(cue.span.end));
            buffer_ += "]}";
        }
        buffer_ += "]}\n";
        maybe_flush();
    }

    void write_error(const std::string& id_json, std::string_view message)
    {
        buffer_ += "{\"id\":";
        buffer_ += id_json;
        buffer_ += ",\"error\":";
        append_json_string(buffer_, message);
        buffer_ += "}\n";
        maybe_flush();
    }

    void flush()
    {
        out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
        buffer_.clear();
        out_.flush();
    }

private:
    void maybe_flush()
    {
        if (buffer_.size() >= flush_bytes) {
            out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
            buffer_.clear();
        }
    }

    // `{"rule":"…","category":"…","label":"…","span":[` for this cue's rule.
    const std::string& cue_prefix(const engine::cue& cue)
    {
        const auto key = std::make_pair(cue.rule_id.data(), cue.label.data());
        auto it = prefixes_.find(key);
        if (it != prefixes_.end()) return it->second;
        std::string prefix = "{\"rule\":";
        append_json_string(prefix, cue.rule_id);
        prefix += ",\"category\":";
        append_json_string(prefix, engine::to_string(cue.cat));
        prefix += ",\"label\":";
        append_json_string(prefix, cue.label);
        prefix += ",\"span\":[";
        return prefixes_.emplace(key, std::move(prefix)).first->second;
    }

    struct pair_hash {
        std::size_t operator()(const std::pair<const char*, const char*>& p) const noexcept
        {
            return std::hash<const void*>()(p.first) * 31 + std::hash<const void*>()(p.second);
        }
    };

    std::ostream& out_;
    std::string buffer_;
    std::unordered_map<std::pair<const char*, const char*>, std::string, pair_hash> prefixes_;
};

bool is_blank(std::string_view line) noexcept
{
    for (char c : line) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
    }
    return true;
}

}  // namespace

int run_analyze_jsonl(const analyze_options& options, std::istream& in, std::ostream& out,
                      std::ostream& err)
{
    const auto sensitivity = engine::parse_sensitivity(options.sensitivity);
    if (!sensitivity) {
        err << "nudgebot analyze: unknown sensitivity \"" << options.sensitivity
            << "\" (expected low, medium or high)\n";
        return 2;
    }
    const auto analyzer = load_packs_for_verb("analyze", options.rules_dir, err);
    if (!analyzer) return 2;

    const auto started = std::chrono::steady_clock::now();
    const std::clock_t cpu_started = std::clock();
    fast_line_reader fast_reader;
    std::string fast_id;
    std::string_view fast_text;
    line_reader reader;
    result_writer writer(out);
    engine::analysis result;
    std::uint64_t lines = 0;
    std::uint64_t errors = 0;

    const auto handle_line = [&](std::string_view line) {
        ++lines;
        if (is_blank(line)) {
            ++errors;
            writer.write_error("null", "empty line");
            return;
        }
        if (fast_reader.read(line.data(), line.size(), fast_id, fast_text)) {
            analyzer->analyze(fast_text, *sensitivity, result);
            writer.write_analysis(fast_id, result);
            return;
        }
        switch (reader.read(line)) {
        case line_reader::outcome::ok:
            analyzer->analyze(reader.text(), *sensitivity, result);
            writer.write_analysis(reader.id_json(), result);
            return;
        case line_reader::outcome::not_json:
            ++errors;
            writer.write_error(reader.id_json(), reader.error());
            return;
        case line_reader::outcome::not_object:
            ++errors;
            writer.write_error("null", "not a JSON object");
            return;
        case line_reader::outcome::no_text:
            ++errors;
            writer.write_error(reader.id_json(), "missing \"text\"");
            return;
        case line_reader::outcome::text_not_string:
            ++errors;
            writer.write_error(reader.id_json(), "\"text\" is not a string");
            return;
        }
    };

    // Lines are cut out of one reusable buffer; a line only grows the buffer when it is longer
    // than what is already there, up to max_line_bytes, past which the line is skipped. The
    // buffer keeps simdjson's padding beyond `capacity` so it may read past a line's end.
    std::size_t capacity = std::size_t{1} << 20;
    std::vector<char> buffer(capacity + read_padding);
    std::size_t begin = 0;   // start of the unprocessed bytes
    std::size_t end = 0;     // end of the bytes read so far
    std::size_t scanned = 0; // bytes after `begin` known to hold no newline
    bool skipping = false;   // inside a line that was too long
    bool eof = false;
    while (true) {
        const char* base = buffer.data();
        const void* newline = std::memchr(base + begin + scanned, '\n', end - begin - scanned);
        if (newline != nullptr) {
            const auto at = static_cast<std::size_t>(static_cast<const char*>(newline) - base);
            if (!skipping) handle_line(std::string_view(base + begin, at - begin));
            skipping = false;
            begin = at + 1;
            scanned = 0;
            continue;
        }
        scanned = end - begin;
        if (eof) {
            if (begin < end && !skipping) handle_line(std::string_view(base + begin, end - begin));
            break;
        }
        if (skipping) {
            begin = end = scanned = 0;
        } else if (end - begin >= max_line_bytes) {
            ++lines;
            ++errors;
            writer.write_error("null", "line longer than 16 MiB; skipped");
            skipping = true;
            begin = end = scanned = 0;
        } else {
            if (begin > 0) {
                std::memmove(buffer.data(), base + begin, end - begin);
                end -= begin;
                begin = 0;
            }
            if (end == capacity) {
                capacity = std::min(capacity * 2, max_line_bytes + 1);
                buffer.resize(capacity + read_padding);
            }
        }
        if (!out) {
            // stdout closed or full: reading on would only burn time.
            err << "nudgebot analyze: cannot write the results; stopped after " << lines
                << " lines\n";
            return 2;
        }
        in.read(buffer.data() + end, static_cast<std::streamsize>(capacity - end));
        const auto got = static_cast<std::size_t>(in.gcount());
        end += got;
        if (got == 0) eof = true;
    }
    writer.flush();
    if (!out) {
        err << "nudgebot analyze: cannot write the results\n";
        return 2;
    }

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double rate = seconds > 0 ? static_cast<double>(lines) / seconds : 0.0;
    // CPU time too: on a busy machine the wall clock says more about the neighbours than about us.
    const double cpu_seconds =
        static_cast<double>(std::clock() - cpu_started) / static_cast<double>(CLOCKS_PER_SEC);
    const double cpu_rate = cpu_seconds > 0 ? static_cast<double>(lines) / cpu_seconds : 0.0;
    char summary[256];
    std::snprintf(summary, sizeof summary,
                  "nudgebot analyze: %llu messages (%llu bad lines) in %.3f s, %.0f messages/s "
                  "(CPU %.3f s, %.0f messages per CPU second)\n",
                  static_cast<unsigned long long>(lines), static_cast<unsigned long long>(errors),
                  seconds, rate, cpu_seconds, cpu_rate);
    err << summary;
    return errors == 0 ? 0 : 1;
}

}  // namespace nudgebot::app
