#include "core/json_document.hpp"

#include "core/spelling.hpp"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace nudgebot::core {

namespace {

using json = nlohmann::json;

// Offsets of the first byte of every line, to turn byte offsets into line:column.
class line_index {
public:
    explicit line_index(std::string_view text)
    {
        starts_.push_back(0);
        for (std::size_t i = 0; i < text.size(); ++i)
            if (text[i] == '\n') starts_.push_back(i + 1);
    }
    text_position at(std::size_t offset) const
    {
        auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
        auto line = static_cast<std::size_t>(it - starts_.begin());   // 1-based
        return {static_cast<std::uint32_t>(line),
                static_cast<std::uint32_t>(offset - starts_[line - 1] + 1)};
    }

private:
    std::vector<std::size_t> starts_;
};

std::string escape_segment(std::string_view key)
{
    std::string out;
    out.reserve(key.size());
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

std::string unescape_segment(std::string_view seg)
{
    std::string out;
    out.reserve(seg.size());
    for (std::size_t i = 0; i < seg.size(); ++i) {
        if (seg[i] == '~' && i + 1 < seg.size() && (seg[i + 1] == '0' || seg[i + 1] == '1')) {
            out += seg[i + 1] == '0' ? '~' : '/';
            ++i;
        } else {
            out += seg[i];
        }
    }
    return out;
}

// Splits "/a/b/0" into raw (still escaped) segments.
std::vector<std::string_view> segments(std::string_view pointer)
{
    std::vector<std::string_view> out;
    if (pointer.empty()) return out;
    std::size_t i = 1;   // skip the leading '/'
    while (true) {
        auto next = pointer.find('/', i);
        if (next == std::string_view::npos) {
            out.push_back(pointer.substr(i));
            break;
        }
        out.push_back(pointer.substr(i, next - i));
        i = next + 1;
    }
    return out;
}

std::string_view parent_of(std::string_view pointer)
{
    auto slash = pointer.rfind('/');
    return slash == std::string_view::npos ? std::string_view{} : pointer.substr(0, slash);
}

// nlohmann's message looks like "[json.exception.parse_error.101] parse error at line 1,
// column 5: syntax error while ..."; we print our own position, so keep only the explanation.
std::string strip_nlohmann_prefix(std::string what)
{
    auto column = what.find(", column ");
    if (column != std::string::npos) {
        auto colon = what.find(": ", column);
        if (colon != std::string::npos) return what.substr(colon + 2);
    }
    auto bracket = what.find("] ");
    if (bracket != std::string::npos) return what.substr(bracket + 2);
    return what;
}

}  // namespace

struct json_document::impl {
    json root;
    std::string file;
    // Where each value and key starts, by JSON pointer: worked out from `text` the first time a
    // place is asked for (only a mistake asks), not at parse(). A learned.json of 30,000 n-grams
    // has 150,000 values, and recording them all took three quarters of its loading time.
    std::string text;
    std::once_flag positions_once;
    std::unordered_map<std::string, text_position> values;
    std::unordered_map<std::string, text_position> keys;
};

namespace {

// Walks text that nlohmann already accepted, reports duplicate keys and nesting beyond
// max_depth, and with `record` writes where each value and key begins. Because the syntax is known
// to be valid, the walker only needs to find token boundaries.
class position_walker {
public:
    position_walker(std::string_view text, const line_index& lines, json_document::impl& out,
                    diagnostics& diags, bool record)
        : text_(text), lines_(lines), out_(out), diags_(diags), record_(record)
    {}

    bool run()
    {
        value("", 0);
        return ok_;
    }

private:
    void skip_space()
    {
        while (i_ < text_.size()) {
            char c = text_[i_];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                ++i_;
            } else if (c == '/' && i_ + 1 < text_.size() && text_[i_ + 1] == '/') {
                auto end = text_.find('\n', i_);
                i_ = end == std::string_view::npos ? text_.size() : end + 1;
            } else if (c == '/' && i_ + 1 < text_.size() && text_[i_ + 1] == '*') {
                auto end = text_.find("*/", i_ + 2);
                i_ = end == std::string_view::npos ? text_.size() : end + 2;
            } else {
                break;
            }
        }
    }

    // i_ at the opening quote; leaves i_ after the closing quote.
    std::string_view skip_string()
    {
        std::size_t start = i_++;
        while (i_ < text_.size() && text_[i_] != '"') i_ += text_[i_] == '\\' ? 2 : 1;
        i_ = std::min(i_ + 1, text_.size());
        return text_.substr(start, i_ - start);
    }

    void value(const std::string& pointer, std::size_t depth)
    {
        skip_space();
        if (i_ >= text_.size()) return;
        if (record_) out_.values[pointer] = lines_.at(i_);
        if (depth > json_document::max_depth) {
            if (ok_) {
                auto p = lines_.at(i_);
                diags_.error(out_.file, p.line, p.column,
                             "nesting deeper than " + std::to_string(json_document::max_depth) +
                                 " levels");
            }
            ok_ = false;
            return;
        }
        char c = text_[i_];
        if (c == '{') {
            object(pointer, depth);
        } else if (c == '[') {
            array(pointer, depth);
        } else if (c == '"') {
            skip_string();
        } else {
            while (i_ < text_.size() && std::string_view{",]} \t\r\n/"}.find(text_[i_]) == std::string_view::npos) ++i_;
        }
    }

    // Steps over `c` when it is next; false otherwise.
    bool take(char c)
    {
        if (i_ >= text_.size() || text_[i_] != c) return false;
        ++i_;
        return true;
    }

    void object(const std::string& pointer, std::size_t depth)
    {
        ++i_;
        skip_space();
        if (take('}')) return;
        std::vector<std::string> seen;
        while (ok_ && i_ < text_.size()) {
            skip_space();
            std::size_t key_start = i_;
            auto raw = skip_string();
            std::string key;
            try {
                key = json::parse(raw).get<std::string>();
            } catch (const std::exception&) {
                key = std::string(raw);
            }
            if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
                auto key_pos = lines_.at(key_start);
                diags_.error(out_.file, key_pos.line, key_pos.column,
                             "duplicate key \"" + key + "\"");
            } else {
                seen.push_back(key);
            }
            const auto child = place(pointer, key);
            if (record_) out_.keys[child] = lines_.at(key_start);
            skip_space();
            take(':');
            value(child, depth + 1);
            skip_space();
            if (take(',')) continue;
            take('}');
            return;
        }
    }

    // The pointer of a member or an element when places are recorded; without, nothing is asked
    // of it, so no string is built.
    template <class Key>
    std::string place(const std::string& parent, const Key& key) const
    {
        return record_ ? json_document::child(parent, key) : std::string();
    }

    void array(const std::string& pointer, std::size_t depth)
    {
        ++i_;
        skip_space();
        if (take(']')) return;
        std::size_t index = 0;
        while (ok_ && i_ < text_.size()) {
            value(place(pointer, index++), depth + 1);
            skip_space();
            if (take(',')) continue;
            take(']');
            return;
        }
    }

    std::string_view text_;
    const line_index& lines_;
    json_document::impl& out_;
    diagnostics& diags_;
    const bool record_;
    std::size_t i_ = 0;
    bool ok_ = true;
};

// Cheap pre-check so that absurd nesting never reaches the recursive parts of nlohmann.
bool nesting_within(std::string_view text, std::size_t limit, std::size_t& where)
{
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
            auto end = text.find('\n', i);
            i = end == std::string_view::npos ? text.size() : end;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            auto end = text.find("*/", i + 2);
            i = end == std::string_view::npos ? text.size() : end + 1;
        } else if (c == '{' || c == '[') {
            if (++depth > limit) {
                where = i;
                return false;
            }
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return true;
}

}  // namespace

json_document::json_document(std::unique_ptr<impl> state) : impl_(std::move(state)) {}
json_document::json_document(json_document&&) noexcept = default;
json_document& json_document::operator=(json_document&&) noexcept = default;
json_document::~json_document() = default;

std::optional<json_document> json_document::parse(std::string_view text, std::string file_name,
                                                  diagnostics& diags)
{
    auto state = std::make_unique<impl>();
    state->file = std::move(file_name);
    line_index lines(text);

    std::size_t too_deep = 0;
    if (!nesting_within(text, max_depth + 1, too_deep)) {
        auto p = lines.at(too_deep);
        diags.error(state->file, p.line, p.column,
                    "nesting deeper than " + std::to_string(max_depth) + " levels");
        return std::nullopt;
    }
    try {
        state->root = json::parse(text.begin(), text.end(), nullptr, true, true);
    } catch (const json::parse_error& e) {
        std::size_t offset = e.byte == 0 ? 0 : e.byte - 1;
        offset = std::min(offset, text.empty() ? std::size_t{0} : text.size() - 1);
        auto p = lines.at(offset);
        diags.error(state->file, p.line, p.column, strip_nlohmann_prefix(e.what()));
        return std::nullopt;
    } catch (const std::exception& e) {
        diags.error(state->file, 0, 0, strip_nlohmann_prefix(e.what()));
        return std::nullopt;
    }
    diagnostics found;
    position_walker walker(text, lines, *state, found, false);
    bool ok = walker.run();
    diags.append(found);
    if (!ok || found.has_errors()) return std::nullopt;
    state->text = std::string(text);
    return json_document(std::move(state));
}

const nlohmann::json& json_document::root() const noexcept { return impl_->root; }
const std::string& json_document::file_name() const noexcept { return impl_->file; }

const nlohmann::json* json_document::find(std::string_view pointer) const
{
    const json* at = &impl_->root;
    for (auto raw : segments(pointer)) {
        auto seg = unescape_segment(raw);
        if (at->is_object()) {
            auto it = at->find(seg);
            if (it == at->end()) return nullptr;
            at = &*it;
        } else if (at->is_array()) {
            std::size_t index = 0;
            auto [p, ec] = std::from_chars(seg.data(), seg.data() + seg.size(), index);
            if (ec != std::errc{} || p != seg.data() + seg.size() || seg.empty() ||
                index >= at->size())
                return nullptr;
            at = &(*at)[index];
        } else {
            return nullptr;
        }
    }
    return at;
}

void json_document::record_positions() const
{
    std::call_once(impl_->positions_once, [this] {
        const line_index lines(impl_->text);
        diagnostics again;   // the same findings parse() reported already
        position_walker(impl_->text, lines, *impl_, again, true).run();
    });
}

text_position json_document::of(std::string_view pointer) const
{
    record_positions();
    std::string p(pointer);
    while (true) {
        auto it = impl_->values.find(p);
        if (it != impl_->values.end()) return it->second;
        if (p.empty()) return {1, 1};
        p = std::string(parent_of(p));
    }
}

text_position json_document::key_position(std::string_view pointer) const
{
    record_positions();
    auto it = impl_->keys.find(std::string(pointer));
    return it != impl_->keys.end() ? it->second : of(pointer);
}

void json_document::error_at(std::string_view pointer, std::string message, diagnostics& diags) const
{
    auto p = of(pointer);
    diags.error(impl_->file, p.line, p.column, std::move(message));
}

void json_document::error_at_key(std::string_view pointer, std::string message,
                                 diagnostics& diags) const
{
    auto p = key_position(pointer);
    diags.error(impl_->file, p.line, p.column, std::move(message));
}

std::string json_document::child(std::string_view parent, std::string_view key)
{
    std::string out(parent);
    out += '/';
    out += escape_segment(key);
    return out;
}

std::string json_document::child(std::string_view parent, std::size_t index)
{
    std::string out(parent);
    out += '/';
    out += std::to_string(index);
    return out;
}

std::string json_document::display(std::string_view pointer) const
{
    if (pointer.empty()) return "top level";
    std::string out;
    const json* at = &impl_->root;
    for (auto raw : segments(pointer)) {
        auto seg = unescape_segment(raw);
        if (at && at->is_array()) {
            out += '[' + seg + ']';
            std::size_t index = 0;
            auto [p, ec] = std::from_chars(seg.data(), seg.data() + seg.size(), index);
            at = ec == std::errc{} && index < at->size() ? &(*at)[index] : nullptr;
        } else {
            if (!out.empty()) out += '.';
            out += seg;
            if (at && at->is_object()) {
                auto it = at->find(seg);
                at = it == at->end() ? nullptr : &*it;
            } else {
                at = nullptr;
            }
        }
    }
    return out;
}

std::string_view json_document::type_name(const nlohmann::json& value)
{
    switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    default: return "a binary value";
    }
}

namespace {

template <typename Check>
const nlohmann::json* typed(const json_document& doc, std::string_view pointer,
                            diagnostics& diags, bool required, std::string_view wanted, Check check)
{
    const json* value = doc.find(pointer);
    if (!value) {
        if (required) {
            auto parent = parent_of(pointer);
            auto key = unescape_segment(pointer.substr(parent.size() + (pointer.empty() ? 0 : 1)));
            doc.error_at(parent,
                         "missing required key \"" + key + "\" " +
                             (parent.empty() ? std::string("at top level")
                                             : "in " + doc.display(parent)),
                         diags);
        }
        return nullptr;
    }
    if (!check(*value)) {
        doc.error_at(pointer,
                     doc.display(pointer) + ": expected " + std::string(wanted) + ", got " +
                         std::string(json_document::type_name(*value)),
                     diags);
        return nullptr;
    }
    return value;
}

// typed(), then the value read as T; nullopt where typed() said why not.
template <typename T, typename Check>
std::optional<T> typed_value(const json_document& doc, std::string_view pointer, diagnostics& diags, bool required,
                             std::string_view wanted, Check check)
{
    const json* v = typed(doc, pointer, diags, required, wanted, check);
    if (!v) return std::nullopt;
    return v->get<T>();
}

}  // namespace

const nlohmann::json* json_document::expect_object(std::string_view pointer, diagnostics& diags,
                                                   bool required) const
{
    return typed(*this, pointer, diags, required, "an object",
                 [](const json& v) { return v.is_object(); });
}

const nlohmann::json* json_document::expect_array(std::string_view pointer, diagnostics& diags,
                                                  bool required) const
{
    return typed(*this, pointer, diags, required, "an array",
                 [](const json& v) { return v.is_array(); });
}

const std::string* json_document::expect_string(std::string_view pointer, diagnostics& diags,
                                                bool required) const
{
    auto v = typed(*this, pointer, diags, required, "a string",
                   [](const json& v) { return v.is_string(); });
    return v ? v->get_ptr<const std::string*>() : nullptr;
}

std::optional<double> json_document::expect_number(std::string_view pointer, diagnostics& diags,
                                                   bool required) const
{
    return typed_value<double>(*this, pointer, diags, required, "a number",
                               [](const json& v) { return v.is_number(); });
}

std::optional<std::int64_t> json_document::expect_integer(std::string_view pointer,
                                                          diagnostics& diags, bool required) const
{
    return typed_value<std::int64_t>(*this, pointer, diags, required, "an integer", [](const json& v) {
        return v.is_number_integer() ||
               (v.is_number_unsigned() &&
                v.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX));
    });
}

std::optional<bool> json_document::expect_bool(std::string_view pointer, diagnostics& diags,
                                               bool required) const
{
    return typed_value<bool>(*this, pointer, diags, required, "a boolean",
                             [](const json& v) { return v.is_boolean(); });
}

bool json_document::check_keys(std::string_view pointer,
                               std::initializer_list<std::string_view> allowed,
                               diagnostics& diags) const
{
    const json* object = find(pointer);
    if (!object || !object->is_object()) return true;
    bool all_known = true;
    for (const auto& item : object->items()) {
        const std::string& key = item.key();
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        all_known = false;
        std::string where = pointer.empty() ? "at top level" : "in " + display(pointer);
        std::string message = "unknown key \"" + key + "\" " + where;
        std::string_view best = closest_match(key, allowed.begin(), allowed.end());
        if (!best.empty()) {
            message += "; did you mean \"" + std::string(best) + "\"?";
        } else {
            message += " (allowed: ";
            bool first = true;
            for (auto candidate : allowed) {
                if (!first) message += ", ";
                message += candidate;
                first = false;
            }
            message += ")";
        }
        error_at_key(child(pointer, key), std::move(message), diags);
    }
    return all_known;
}

}  // namespace nudgebot::core
