// The learned second signal: n-gram keys, reading learned.json, the look-up table and scoring.
#include "engine/learned_signal.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/json_document.hpp"
#include "engine/analyzer.hpp"

namespace nudgebot::engine::learned {

namespace {

using core::json_document;
using json = nlohmann::json;

constexpr double max_abs_weight = 1000;   // a trained weight is a few units at most

std::uint64_t rotl(std::uint64_t x, int r) noexcept { return (x << r) | (x >> (64 - r)); }

std::string qt(std::string_view s)
{
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    out += s;
    out += '"';
    return out;
}

// The tokens of an n-gram as written in the file: non-empty, separated by exactly one space.
// Returns the number of tokens, 0 when it is not well formed.
std::size_t count_tokens(std::string_view ngram) noexcept
{
    if (ngram.empty() || ngram.front() == ' ' || ngram.back() == ' ') return 0;
    if (ngram.find("  ") != std::string_view::npos) return 0;
    return static_cast<std::size_t>(std::count(ngram.begin(), ngram.end(), ' ')) + 1;
}

}  // namespace

std::uint64_t token_hash(std::string_view text) noexcept
{
    const char* p = text.data();
    std::size_t n = text.size();
    std::uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = rotl(h ^ (w * 0x87c37b91114253d5ull), 31) * 0x4cf5ad432745937full;
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        std::uint64_t w = 0;
        std::memcpy(&w, p, n);
        h = rotl(h ^ (w * 0x87c37b91114253d5ull), 31) * 0x4cf5ad432745937full;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

std::uint64_t ngram_key(std::string_view ngram) noexcept
{
    std::uint64_t key = ngram_seed;
    while (true) {
        const auto space = ngram.find(' ');
        key = extend_key(key, token_hash(ngram.substr(0, space)));
        if (space == std::string_view::npos) return key;
        ngram.remove_prefix(space + 1);
    }
}

bool model::insert(std::uint64_t key, std::uint32_t index)
{
    key = key != 0 ? key : 1;
    for (std::size_t slot = key & mask_;; slot = (slot + 1) & mask_) {
        if (keys_[slot] == key) return false;
        if (keys_[slot] == 0) {
            keys_[slot] = key;
            index_[slot] = index;
            return true;
        }
    }
}

bool model::read(const pack_source& source, core::diagnostics& diags,
                 std::array<bool, reported_category_count> scored)
{
    *this = model{};
    file_ = source.file_name;
    core::diagnostics local;
    auto doc = json_document::parse(source.text, source.file_name, local);
    auto fail = [&] {
        diags.append(local);
        *this = model{};
        file_ = source.file_name;
        return false;
    };
    if (!doc) return fail();
    if (!doc->expect_object("", local)) return fail();
    doc->check_keys("", {"model", "order", "trained", "categories", "ngrams"}, local);
    doc->expect_string("/model", local);
    doc->expect_string("/trained", local);
    if (auto order = doc->expect_integer("/order", local)) {
        if (*order < 1 || *order > static_cast<std::int64_t>(max_order))
            doc->error_at("/order", "order must be 1, 2 or 3 (words per n-gram at most)", local);
        else
            order_ = static_cast<unsigned>(*order);
    }

    if (const auto* cats = doc->expect_object("/categories", local, true)) {
        for (const auto& item : cats->items()) {
            const auto at = json_document::child("/categories", item.key());
            const auto cat = parse_category(item.key());
            if (!cat || static_cast<std::size_t>(*cat) >= reported_category_count) {
                doc->error_at_key(at, "unknown category " + qt(item.key()) +
                                          " (the learned signal has conflict, distress, crisis)",
                                  local);
                continue;
            }
            if (!scored[static_cast<std::size_t>(*cat)])
                doc->error_at_key(at, "category " + qt(item.key()) + " has no entry in scoring.json", local);
            if (!doc->expect_object(at, local)) continue;
            doc->check_keys(at, {"bias", "label", "damp_label", "scale", "offset", "min_effect", "max_effect", "damp"},
                            local);
            category_params p;
            p.rule_id = "learned." + item.key();
            auto number = [&](std::string_view key, double& into, bool required, double low, double high,
                              const char* range) {
                const auto key_at = json_document::child(at, key);
                if (auto v = doc->expect_number(key_at, local, required)) {
                    if (!std::isfinite(*v) || *v < low || *v > high)
                        doc->error_at(key_at, std::string(key) + " must be " + range, local);
                    else
                        into = *v;
                }
            };
            number("bias", p.bias, true, -100, 100, "between -100 and 100");
            number("scale", p.scale, false, 0, 100, "between 0 and 100");
            number("offset", p.offset, false, -100, 100, "between -100 and 100");
            number("min_effect", p.min_effect, false, 1e-6, 100, "above 0 and at most 100");
            number("max_effect", p.max_effect, false, 1e-6, 100, "above 0 and at most 100");
            if (p.max_effect < p.min_effect)
                doc->error_at(json_document::child(at, "max_effect"), "max_effect must not be below min_effect",
                              local);
            p.damp = doc->expect_bool(json_document::child(at, "damp"), local).value_or(false);
            const std::string category_name(to_string(*cat));
            if (const auto* label = doc->expect_string(json_document::child(at, "label"), local, true)) {
                if (label->empty())
                    doc->error_at(json_document::child(at, "label"), "label must not be empty", local);
                p.label = *label;
            }
            p.damp_label = "words that rarely come with " + category_name + " language in team chat";
            if (const auto* label = doc->expect_string(json_document::child(at, "damp_label"), local)) {
                if (label->empty())
                    doc->error_at(json_document::child(at, "damp_label"), "damp_label must not be empty", local);
                p.damp_label = *label;
            }
            p.defined = true;
            params_[static_cast<std::size_t>(*cat)] = std::move(p);
        }
    }

    const json* ngrams = doc->expect_array("/ngrams", local, true);
    if (ngrams != nullptr) {
        const std::size_t count = ngrams->size();
        std::size_t capacity = 16;
        while (capacity < count + count / 2 + 1) capacity *= 2;   // load at most 2/3
        keys_.assign(capacity, 0);
        index_.assign(capacity, 0);
        mask_ = capacity - 1;
        weights_.reserve(count * reported_category_count);
        std::unordered_map<std::uint64_t, std::size_t> first_at;   // only to name duplicates
        for (std::size_t i = 0; i < count; ++i) {
            const auto at = json_document::child("/ngrams", i);
            const json& row = (*ngrams)[i];
            if (!row.is_array() || row.size() != 1 + reported_category_count) {
                doc->error_at(at, "an n-gram is [\"words\", conflict, distress, crisis] (a string and three numbers)",
                              local);
                continue;
            }
            bool ok = true;
            if (!row[0].is_string()) {
                doc->error_at(json_document::child(at, 0),
                              std::string("expected a string, got ") + std::string(json_document::type_name(row[0])),
                              local);
                ok = false;
            }
            std::array<float, reported_category_count> w{};
            for (std::size_t c = 0; c < reported_category_count; ++c) {
                const json& v = row[c + 1];
                if (!v.is_number()) {
                    doc->error_at(json_document::child(at, c + 1),
                                  std::string("expected a number, got ") + std::string(json_document::type_name(v)),
                                  local);
                    ok = false;
                    continue;
                }
                const double d = v.get<double>();
                if (!std::isfinite(d) || std::fabs(d) > max_abs_weight) {
                    doc->error_at(json_document::child(at, c + 1), "a weight must be between -1000 and 1000", local);
                    ok = false;
                    continue;
                }
                w[c] = static_cast<float>(d);
            }
            if (!ok) continue;
            const auto& text = row[0].get_ref<const std::string&>();
            const std::size_t tokens = count_tokens(text);
            if (tokens == 0) {
                doc->error_at(json_document::child(at, 0),
                              "an n-gram is one or more words separated by single spaces", local);
                continue;
            }
            if (tokens > order_) {
                doc->error_at(json_document::child(at, 0),
                              "n-gram " + qt(text) + " has " + std::to_string(tokens) +
                                  " words, more than the order (" + std::to_string(order_) + ")",
                              local);
                continue;
            }
            const auto key = ngram_key(text);
            const auto index = static_cast<std::uint32_t>(weights_.size() / reported_category_count);
            if (!insert(key, index)) {
                const auto first = first_at.find(key);
                const auto where = first != first_at.end() ? doc->of(json_document::child("/ngrams", first->second))
                                                           : core::text_position{};
                doc->error_at(json_document::child(at, 0),
                              "duplicate n-gram " + qt(text) + " (first at line " + std::to_string(where.line) + ")",
                              local);
                continue;
            }
            first_at.emplace(key, i);
            weights_.insert(weights_.end(), w.begin(), w.end());
        }
    }
    if (local.has_errors()) return fail();
    diags.append(local);
    if (weights_.empty()) {   // nothing to look up
        keys_.clear();
        index_.clear();
        mask_ = 0;
    }
    keys_.shrink_to_fit();
    index_.shrink_to_fit();
    weights_.shrink_to_fit();
    return true;
}

std::size_t model::memory_bytes() const noexcept
{
    return keys_.capacity() * sizeof(std::uint64_t) + index_.capacity() * sizeof(std::uint32_t) +
           weights_.capacity() * sizeof(float);
}

void model::evaluate(const normalized_text& text, std::vector<match>& scratch, result& out) const
{
    out = result{};
    scratch.clear();
    const float* base = weights_.data();
    out.ngrams = for_each_ngram(text, order_, [&](std::uint64_t key, std::uint32_t first, std::uint32_t last) {
        if (const float* w = find(key))
            scratch.push_back({static_cast<std::uint32_t>((w - base) / reported_category_count), first, last});
    });
    // Each n-gram once (presence), at its first occurrence.
    auto earlier = [](const match& a, const match& b) {
        return a.entry != b.entry ? a.entry < b.entry : a.first < b.first;
    };
    if (scratch.size() <= 24) {   // insertion sort: the usual few matches
        for (std::size_t i = 1; i < scratch.size(); ++i)
            for (std::size_t j = i; j > 0 && earlier(scratch[j], scratch[j - 1]); --j) std::swap(scratch[j], scratch[j - 1]);
    } else {
        std::sort(scratch.begin(), scratch.end(), earlier);
    }
    constexpr std::size_t cats = reported_category_count;
    std::array<float, cats> sum{};
    // The two strongest n-grams each way per category: weight and match.
    struct top2 {
        float w[2] = {0, 0};
        const match* m[2] = {nullptr, nullptr};
        void offer(float weight, const match* at) noexcept
        {
            if (weight > w[0]) {
                w[1] = w[0];
                m[1] = m[0];
                w[0] = weight;
                m[0] = at;
            } else if (weight > w[1]) {
                w[1] = weight;
                m[1] = at;
            }
        }
    };
    std::array<top2, cats> pos{}, neg{};
    for (std::size_t i = 0; i < scratch.size(); ++i) {
        if (i > 0 && scratch[i].entry == scratch[i - 1].entry) continue;
        ++out.matched;
        const float* w = base + std::size_t{scratch[i].entry} * cats;
        for (std::size_t c = 0; c < cats; ++c) {
            sum[c] += w[c];
            pos[c].offer(w[c], &scratch[i]);
            neg[c].offer(-w[c], &scratch[i]);
        }
    }
    const auto& toks = text.tokens;
    // The span of the strongest n-gram, joined with the second when it weighs at least half as much.
    auto span_of = [&](const top2& t) {
        byte_span s{toks[t.m[0]->first].span.begin, toks[t.m[0]->last].span.end};
        if (t.m[1] != nullptr && t.w[1] >= 0.5f * t.w[0]) {
            s.begin = std::min(s.begin, toks[t.m[1]->first].span.begin);
            s.end = std::max(s.end, toks[t.m[1]->last].span.end);
        }
        return s;
    };
    const float norm = 1.0f / std::sqrt(static_cast<float>(out.ngrams) + 1.0f);
    for (std::size_t c = 0; c < cats; ++c) {
        const auto& p = params_[c];
        out.z[c] = static_cast<float>(p.bias) + sum[c] * norm;
        if (!p.defined) continue;
        const auto limit = static_cast<float>(p.max_effect);
        out.effect[c] = std::clamp(static_cast<float>(p.scale) * (out.z[c] - static_cast<float>(p.offset)), -limit, limit);
        if (pos[c].m[0] != nullptr) {
            out.has_positive[c] = true;
            out.positive[c] = span_of(pos[c]);
        }
        if (neg[c].m[0] != nullptr) {
            out.has_negative[c] = true;
            out.negative[c] = span_of(neg[c]);
        }
    }
}

}  // namespace nudgebot::engine::learned
