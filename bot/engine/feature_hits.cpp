// The built-in features of a message (evaluation.hpp): a hit per token for @second_person,
// @second_person_start, @first_person, @shouting and @caps_run, message-wide hits for
// @question_burst, @exclamation_burst, @question, @short, @mention, @reply and @scare_quote,
// and the message_features the conversation context reads.
#include "engine/evaluation.hpp"

#include "engine/scare_quote.hpp"

namespace nudgebot::engine::eval {

void evaluation::add_feature_hits()
{
    const auto& toks = s_.text.tokens;
    const auto base = static_cast<std::uint32_t>(c_.lexicons.size());
    auto& f = out_.features;
    std::uint32_t absolutes = 0;
    // @caps_run: three words of 3+ letters in capitals, each at most two tokens after the one
    // before ("STOP PUSHING TO MAIN", "TURN. YOUR. MIC. OFF."), also in a message with no
    // lower case, one of them word-like as @shouting's are (5+ letters or a word some lexicon
    // knows), so a run of acronyms (AWS RDS EKS) is not one.
    std::uint32_t caps_run = 0, last_caps = 0;
    bool caps_word_like = false, caps_run_hit = false;
    lexicon_hits_ = static_cast<std::uint32_t>(s_.hits.size());
    // The hits are written through a local pointer into room for all of them (at most four
    // per token below, one @caps_run and six message-wide ones; push_back() checked the
    // capacity and stored the size for every hit); the message-wide ones are written either
    // way and counted when they hold (a branch each, mispredicted now and then).
    hit* const out = s_.hits.room(4 * std::size_t{feature_count_} + 1 + 6);
    std::uint32_t k = 0;
    bool second_person = false, first_person = false;
    // Only the tokens collect_items() found with a word class or in capitals, in order.
    for (std::uint32_t f_index = 0; f_index < feature_count_; ++f_index) {
        const std::uint64_t entry = s_.feature_tokens[f_index];
        const auto i = static_cast<std::uint32_t>(entry);
        const auto classes = static_cast<std::uint32_t>(entry >> 32);
        const auto& t = toks[i];
        if (classes & wc_second_person) {
            second_person = true;
            out[k++] = {base + f_second_person, i, i, 0};
            if ((classes & wc_sentence_you) && (i == 0 || toks[i - 1].sentence != t.sentence))
                out[k++] = {base + f_second_person_start, i, i, 0};
        }
        if (classes & wc_first_person) {
            first_person = true;
            out[k++] = {base + f_first_person, i, i, 0};
        }
        absolutes += (classes & wc_absolute) != 0;
        if (t.has(token::all_caps) && !in_identifier(t)) {
            const bool word_like = t.letters >= 5 || t.word != no_word;
            if (word_like && s_.text.has_lower) {
                f.shouting = true;
                out[k++] = {base + f_shouting, i, i, 0};
            }
            caps_run = caps_run > 0 && i - last_caps <= 2 ? caps_run + 1 : 1;
            caps_word_like = (caps_run > 1 && caps_word_like) || word_like;
            last_caps = i;
            if (caps_run >= 3 && caps_word_like && !caps_run_hit) {
                caps_run_hit = true;
                out[k++] = {base + f_caps_run, i, i, 0};
            }
        }
    }
    f.second_person = second_person;
    f.first_person = first_person;
    f.question_burst = s_.text.question_burst;
    f.exclamation_burst = s_.text.exclamation_burst;
    f.reply = context_.reply;
    const auto message_wide = [&](std::uint32_t feature, bool holds) {
        out[k] = {base + feature, no_position, no_position, 0};
        k += holds;
    };
    message_wide(f_question_burst, f.question_burst);
    message_wide(f_exclamation_burst, f.exclamation_burst);
    message_wide(f_question, s_.text.question);
    message_wide(f_short, unquoted_tokens_ > 0 && unquoted_tokens_ <= short_message_words);
    message_wide(f_mention, mention_ || s_.text.mention);
    message_wide(f_reply, f.reply);
    s_.hits.resize(s_.hits.size() + k);
    add_scare_quote(base);
    float intensity = (f.shouting ? 0.35f : 0) + (f.question_burst ? 0.2f : 0) +
                      (f.exclamation_burst ? 0.2f : 0) +
                      0.1f * static_cast<float>(std::min<std::uint32_t>(absolutes, 3));
    f.intensity = std::min(intensity, 1.0f);
}

void evaluation::add_scare_quote(std::uint32_t base)
{
    // Most messages have no quote mark at all: then there is no quote to look for (and the
    // call, about 1.5 % of the time of an analysis, is saved).
    if (s_.text.quote_mark_bytes.empty()) return;
    const auto quote = find_scare_quote(text_, s_.text.quote_mark_bytes);
    if (!quote) return;
    const auto& toks = s_.text.tokens;
    std::uint32_t first = no_position, last = no_position;
    for (std::uint32_t i = 0; i < toks.size(); ++i) {
        if (toks[i].span.end <= quote->begin) continue;
        if (toks[i].span.begin >= quote->end) break;
        if (first == no_position) first = i;
        last = i;
    }
    s_.hits.push_back({base + f_scare_quote, first, last, 0});
}

}  // namespace nudgebot::engine::eval
