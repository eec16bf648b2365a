// The learned second signal: n-gram keys, reading learned.json, the look-up table and scoring.
#include "engine/learned_signal.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <span>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/json_document.hpp"
#include "engine/analyzer.hpp"
#include "engine/quoted.hpp"

namespace nudgebot::engine::learned {

namespace {

using core::json_document;
using json = nlohmann::json;

constexpr double max_abs_weight = 1000;   // a trained weight is a few units at most

// The tokens of an n-gram as written in the file: non-empty, separated by exactly one space.
// Returns the number of tokens, 0 when it is not well formed.
std::size_t count_tokens(std::string_view ngram) noexcept
{
    if (ngram.empty() || ngram.front() == ' ' || ngram.back() == ' ') return 0;
    if (ngram.find("  ") != std::string_view::npos) return 0;
    return static_cast<std::size_t>(std::count(ngram.begin(), ngram.end(), ' ')) + 1;
}

}  // namespace

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

namespace {

// For naming a duplicate: the first row before `end` of each n-gram (rows whose first item is a
// string), by key. Built only when a row fails to go in, then kept up to date: a file without
// duplicates never pays for it, and one full of them costs one pass, not one per duplicate.
std::unordered_map<std::uint64_t, std::size_t> first_rows(const json& rows, std::size_t end)
{
    std::unordered_map<std::uint64_t, std::size_t> first;
    for (std::size_t i = 0; i < end; ++i) {
        const json& row = rows[i];
        if (row.is_array() && !row.empty() && row[0].is_string())
            first.emplace(ngram_key(row[0].get_ref<const std::string&>()), i);
    }
    return first;
}

}  // namespace

bool model::insert(std::uint64_t key, const std::array<float, reported_category_count>& weights)
{
    const std::uint32_t tag = slot_tag(key);
    for (std::size_t at = key & mask_;; at = (at + 1) & mask_) {
        if (slots_[at].tag == tag) return false;
        if (slots_[at].tag == 0) {
            slots_[at] = {tag, weights};
            ++size_;
            filter_[key >> filter_shift_] |= filter_bits(key);
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
    doc->check_keys("", {"model", "order", "count", "trained", "categories", "ngrams"}, local);
    doc->expect_string("/model", local);
    doc->expect_string("/trained", local);
    if (auto order = doc->expect_integer("/order", local)) {
        if (*order < 1 || *order > static_cast<std::int64_t>(max_order))
            doc->error_at("/order", "order must be 1, 2 or 3 (words per n-gram at most)", local);
        else
            order_ = static_cast<unsigned>(*order);
    }
    if (const auto* count = doc->expect_string("/count", local)) {
        if (*count == "known")
            count_known_ = true;
        else if (*count != "all")
            doc->error_at("/count", "count must be \"all\" (every n-gram of the message) or \"known\" (the model's)",
                          local);
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
            doc->check_keys(at, {"bias", "label", "damp_label", "scale", "offset", "min_effect", "max_effect", "damp",
                                 "yield_to_modifiers"},
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
            p.yield_to_modifiers =
                doc->expect_bool(json_document::child(at, "yield_to_modifiers"), local).value_or(false);
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
        // At most 5/8 full: a probe for an absent key at 3/4 walked ~8 slots on average, the
        // largest part of evaluate()'s time (the filter turns most absent keys away before they
        // probe). Not half: 32,772 n-grams would double the table to 2 MiB for four n-grams.
        while (capacity * 5 < count * 8) capacity *= 2;
        slots_.assign(capacity, slot{});
        mask_ = capacity - 1;
        std::size_t filter_words = 64;
        filter_shift_ = 58;
        while (64 * filter_words < 16 * count) {
            filter_words *= 2;
            --filter_shift_;
        }
        filter_.assign(filter_words, 0);
        std::optional<std::unordered_map<std::uint64_t, std::size_t>> first_at;   // see first_rows()
        for (std::size_t i = 0; i < count; ++i) {
            // The row's pointer is built only for an error: most files have none, and building
            // 37,000 of them was a tenth of the model's loading.
            const auto at = [i] { return json_document::child("/ngrams", i); };
            const json& row = (*ngrams)[i];
            if (!row.is_array() || row.size() != 1 + reported_category_count) {
                doc->error_at(at(), "an n-gram is [\"words\", conflict, distress, crisis] (a string and three numbers)",
                              local);
                continue;
            }
            bool ok = true;
            if (!row[0].is_string()) {
                doc->error_at(json_document::child(at(), 0),
                              std::string("expected a string, got ") + std::string(json_document::type_name(row[0])),
                              local);
                ok = false;
            }
            std::array<float, reported_category_count> w{};
            for (std::size_t c = 0; c < reported_category_count; ++c) {
                const json& v = row[c + 1];
                if (!v.is_number()) {
                    doc->error_at(json_document::child(at(), c + 1),
                                  std::string("expected a number, got ") + std::string(json_document::type_name(v)),
                                  local);
                    ok = false;
                    continue;
                }
                const double d = v.get<double>();
                if (!std::isfinite(d) || std::fabs(d) > max_abs_weight) {
                    doc->error_at(json_document::child(at(), c + 1), "a weight must be between -1000 and 1000", local);
                    ok = false;
                    continue;
                }
                w[c] = static_cast<float>(d);
            }
            if (!ok) continue;
            const auto& text = row[0].get_ref<const std::string&>();
            const std::size_t tokens = count_tokens(text);
            if (tokens == 0) {
                doc->error_at(json_document::child(at(), 0),
                              "an n-gram is one or more words separated by single spaces", local);
                continue;
            }
            if (tokens > order_) {
                doc->error_at(json_document::child(at(), 0),
                              "n-gram " + qt(text) + " has " + std::to_string(tokens) +
                                  " words, more than the order (" + std::to_string(order_) + ")",
                              local);
                continue;
            }
            const auto key = ngram_key(text);
            if (!insert(key, w)) {
                if (!first_at) first_at = first_rows(*ngrams, i);
                const auto first = first_at->find(key);
                if (first != first_at->end()) {
                    const auto where = doc->of(json_document::child("/ngrams", first->second));
                    doc->error_at(json_document::child(at(), 0),
                                  "duplicate n-gram " + qt(text) + " (first at line " + std::to_string(where.line) + ")",
                                  local);
                } else {   // two n-grams whose keys agree in the bits a slot keeps
                    doc->error_at(json_document::child(at(), 0),
                                  "n-gram " + qt(text) + " shares its hash with an earlier n-gram; drop one of them",
                                  local);
                }
                continue;
            }
            if (first_at) first_at->emplace(key, i);
        }
    }
    if (local.has_errors()) return fail();
    diags.append(local);
    if (size_ == 0) {   // nothing to look up
        slots_.clear();
        filter_.clear();
        mask_ = 0;
    }
    slots_.shrink_to_fit();
    return true;
}

std::size_t model::memory_bytes() const noexcept
{
    return slots_.capacity() * sizeof(slot) + filter_.capacity() * sizeof(std::uint64_t);
}

void model::evaluate(const normalized_text& text, scratch& s, result& out, std::span<const word_keys> words) const
{
    out = result{};
    s.matched = 0;
    const std::size_t most = std::size_t{order_} * text.tokens.size();
    if (s.keys.size() < most) {
        s.keys.resize(most);
        s.places.resize(most);
        s.matches.resize(most);
    }
    // Each n-gram's key goes through the filter as it is made, without a branch (whether an
    // n-gram is in the model has no pattern, and a branch on it was mispredicted about every
    // third n-gram): the keys it lets through are kept with their tokens, and their slots,
    // scattered over the table, are asked for at once, so the cache misses overlap (a key it
    // turns away asks for slot 0).
    std::uint64_t* keys = s.keys.data();
    std::uint32_t* places = s.places.data();
    const slot* slots = slots_.data();
    // Locals: the stores below might otherwise be taken to change the members.
    const std::size_t table_mask = mask_;
    const std::uint64_t* filter = filter_.data();
    const unsigned filter_shift = filter_shift_;
    const unsigned order = order_;
    std::uint32_t passed = 0;
    const auto keep = [&](std::uint64_t key, std::uint32_t first, std::uint32_t last, std::uint32_t may) {
        keys[passed] = key;
        places[passed] = first << 2 | (last - first);   // see scratch::places
        __builtin_prefetch(slots + (key & table_mask & (std::size_t{0} - may)));
        passed += may;
    };
    // The n-grams as for_each_ngram() makes them, with a word's hash, unigram key and whether
    // that unigram is in the model taken from `words`.
    std::uint32_t ngrams = 0;
    std::uint32_t run = 0;   // unquoted tokens in a row ending before this one
    std::uint64_t prev1 = 0, prev2 = 0;   // keys of the uni- and bigram ending at the last token
    const auto& toks = text.tokens;
    const char* end = text.chars.data() + text.chars.size();
    const word_keys* known = words.data();
    const std::size_t known_count = words.size();
    for (std::uint32_t i = 0; i < toks.size(); ++i) {
        const auto& t = toks[i];
        if (t.has(token::quoted)) {
            run = 0;
            continue;
        }
        std::uint64_t h, uni, may_uni;
        if (const auto w = static_cast<std::size_t>(static_cast<std::uint32_t>(t.word)); w < known_count) {
            h = known[w].hash;
            uni = known[w].unigram;
            may_uni = known[w].present;
        } else {
            h = token_hash(text.chars.data() + t.text_begin, t.text_size, end);
            uni = extend_key(ngram_seed, h);
            may_uni = may_have(filter, filter_shift, uni);
        }
        keep(uni, i, i, static_cast<std::uint32_t>(may_uni));
        ++ngrams;
        std::uint64_t bi = 0;
        if (order >= 2 && run >= 1) {
            bi = extend_key(prev1, h);
            keep(bi, i - 1, i, may_have(filter, filter_shift, bi));
            ++ngrams;
            if (order >= 3 && run >= 2) {
                const std::uint64_t tri = extend_key(prev2, h);
                keep(tri, i - 2, i, may_have(filter, filter_shift, tri));
                ++ngrams;
            }
        }
        prev2 = bi;
        prev1 = uni;
        ++run;
    }
    out.ngrams = ngrams;

    // The set of counted n-grams: at least twice as many places as candidates.
    std::size_t size = 64;
    unsigned shift = 58;
    while (size < 2 * std::size_t{passed}) {
        size *= 2;
        --shift;
    }
    if (s.counted.size() < size) s.counted.resize(size);
    std::uint32_t* counted = s.counted.data();
    std::fill_n(counted, size, 0u);
    const std::size_t mask = size - 1;
    match* matches = s.matches.data();
    std::uint32_t matched = 0;
    float sum0 = 0, sum1 = 0, sum2 = 0;
    static_assert(reported_category_count == 3);
    // Each n-gram counts once (presence), at its first occurrence.
    for (std::uint32_t k = 0; k < passed; ++k) {
        const std::uint32_t at = probe_table(keys[k]);
        if (at == no_entry) continue;
        std::size_t place = static_cast<std::size_t>((std::uint64_t{at} * 0x9e3779b97f4a7c15ull) >> shift);
        bool seen = false;
        for (; counted[place] != 0; place = (place + 1) & mask)
            if (counted[place] == at + 1) {
                seen = true;
                break;
            }
        if (seen) continue;
        counted[place] = at + 1;
        const float* w = slots[at].weights.data();
        sum0 += w[0];
        sum1 += w[1];
        sum2 += w[2];
        const std::uint32_t first = places[k] >> 2;
        matches[matched++] = {at, first, first + (places[k] & 3u)};
    }
    s.matched = matched;
    const std::array<float, 3> sum{sum0, sum1, sum2};
    // N: every n-gram occurrence, or with "count": "known" the distinct n-grams the model has.
    const float counted_ngrams = static_cast<float>(count_known_ ? matched : out.ngrams);
    const float norm = 1.0f / std::sqrt(counted_ngrams + 1.0f);
    for (std::size_t c = 0; c < reported_category_count; ++c) {
        const auto& p = params_[c];
        out.z[c] = static_cast<float>(p.bias) + sum[c] * norm;
        if (!p.defined) continue;
        const auto limit = static_cast<float>(p.max_effect);
        out.effect[c] = std::clamp(static_cast<float>(p.scale) * (out.z[c] - static_cast<float>(p.offset)), -limit, limit);
    }
}

std::vector<word_keys> model::index_words(const vocabulary& vocab) const
{
    std::vector<word_keys> words(vocab.word_count());
    for (std::size_t w = 0; w < words.size(); ++w) {
        auto& k = words[w];
        k.hash = token_hash(vocab.word(static_cast<word_id>(w)));
        k.unigram = extend_key(ngram_seed, k.hash);
        k.present = find(k.unigram) != nullptr ? 1 : 0;
    }
    return words;
}

bool model::strongest(const normalized_text& text, const scratch& s, category c, bool positive,
                      byte_span& span) const noexcept
{
    const auto cat = static_cast<std::size_t>(c);
    const float sign = positive ? 1.0f : -1.0f;
    float top[2] = {0, 0};
    const match* at[2] = {nullptr, nullptr};
    for (const match& m : std::span(s.matches.data(), s.matched)) {
        const float w = sign * slots_[m.entry].weights[cat];
        if (w > top[0]) {
            top[1] = top[0];
            at[1] = at[0];
            top[0] = w;
            at[0] = &m;
        } else if (w > top[1]) {
            top[1] = w;
            at[1] = &m;
        }
    }
    if (at[0] == nullptr) return false;
    const auto& toks = text.tokens;
    span = {toks[at[0]->first].span.begin, toks[at[0]->last].span.end};
    if (at[1] != nullptr && top[1] >= 0.5f * top[0]) {
        span.begin = std::min(span.begin, toks[at[1]->first].span.begin);
        span.end = std::max(span.end, toks[at[1]->last].span.end);
    }
    return true;
}

}  // namespace nudgebot::engine::learned
