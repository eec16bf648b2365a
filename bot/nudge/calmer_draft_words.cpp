#include "nudge/calmer_draft_steps.hpp"

#include <algorithm>
#include <array>

namespace nudgebot::nudge::drafting {

namespace {

const std::vector<std::string_view> dangling_words{
    "the", "a",    "an",   "is",   "are",   "was",    "were",     "so",       "such",  "of",  "to",  "like",
    "as",  "this", "that", "my",   "your",  "his",    "her",      "their",    "our",   "you", "be",  "been",
    "very", "really", "total", "complete", "absolute", "what", "and", "or", "for", "with", "just", "it's",
    "get", "give", "gives", "piece", "bunch", "in", "on", "at", "by", "from", "about", "no", "not"};

// Words after which a deleted intensifier would leave the sentence broken ("own your shit
// instead" -> "own your instead"): the deleted word must be followed by a content word.
const std::vector<std::string_view> function_words{
    "instead", "about", "on", "up", "off", "out", "of", "with", "to", "for", "in", "at", "from", "and", "or",
    "but", "is", "was", "are", "were", "be", "been", "that", "this", "it", "you", "u", "me", "him", "her", "them",
    "us", "did", "do", "does", "was", "have", "has", "had", "will", "would", "can", "could", "should", "the", "a",
    "an", "so", "if", "then", "than", "when", "why", "how", "what", "who", "your", "ur", "my", "his", "their",
    "our", "its", "it's", "into", "onto", "over", "by", "as", "like", "just", "yourself", "up", "down"};

// Emphasis that stands alone as a clause after a verdict became a request ("... not once. ever."):
// it only insisted on the verdict.
constexpr std::array<std::string_view, 9> emphasis_markers{
    "not once", "ever", "not once ever", "not even once", "every time", "every single time", "every damn time",
    "as usual", "like always"};

// Sarcasm and exasperation markers that read as a jab when they stand alone as a clause of a
// heated message ("..., seriously?!", "great job everyone").
constexpr std::array<std::string_view, 26> sarcasm_markers{
    "seriously",   "really",       "wow",           "smh",          "ffs",          "unbelievable", "come on",
    "just saying", "great job",    "good job",      "nice going",   "nice job",     "well done",    "thanks a lot",
    "thanks for nothing", "bravo", "genius",        "whatever",     "great job everyone", "good job everyone",
    "nice one",    "/s",           "again",         "great work",   "great job team", "classic"};

}  // namespace

bool is_dangling_word(std::string_view lower_case)
{
    return std::find(dangling_words.begin(), dangling_words.end(), lower_case) != dangling_words.end();
}

bool is_emphasis_marker(std::string_view bare)
{
    return std::find(emphasis_markers.begin(), emphasis_markers.end(), bare) != emphasis_markers.end();
}

bool is_sarcasm_marker(std::string_view bare)
{
    return std::find(sarcasm_markers.begin(), sarcasm_markers.end(), bare) != sarcasm_markers.end();
}

bool looks_like_swearing(std::string_view lw)
{
    for (std::string_view stem : {"fuck", "fck", "shit", "damn", "crap", "hell", "ass", "bitch", "bloody", "piss",
                                  "dick", "bastard", "bollock", "wank", "frick", "freak", "heck", "goddamn"})
        if (lw.find(stem) != std::string_view::npos) return true;
    return false;
}

std::optional<std::string> delete_word(std::string_view text, word w)
{
    std::size_t b = w.begin, e = w.end;
    // "how the fuck did you" -> "how did you"
    std::size_t pb = b;
    while (pb > 0 && text[pb - 1] == ' ') --pb;
    std::size_t wb = pb;
    while (wb > 0 && (is_alpha(text[wb - 1]) || text[wb - 1] == '\'')) --wb;
    const auto before = lowered(text.substr(wb, pb - wb));
    const auto self = lowered(text.substr(b, e - b));
    const bool the_x = before == "the" && is_one_of(self, {"fuck", "hell", "heck", "f", "frick", "fk"});
    if (the_x) b = wb;
    while (e < text.size() && text[e] == ' ') ++e;
    std::size_t ne = e;
    while (ne < text.size() && (is_alpha(text[ne]) || text[ne] == '\'')) ++ne;
    const auto next = lowered(text.substr(e, ne - e));
    const bool next_is_function = next.empty() ||
                                  std::find(function_words.begin(), function_words.end(), next) != function_words.end();
    // "the audio was shit for hours" -> "the audio was bad for hours" (the swear word is the
    // predicate; before an adjective it is only an intensifier and simply goes)
    if (is_one_of(before, {"is", "was", "are", "were", "looks", "sounds", "been"}) && next_is_function &&
        looks_like_swearing(self) && !is_one_of(self, {"hell", "heck"})) {
        std::string out(text.substr(0, b));
        out += "bad";
        out.append(text.substr(w.end));
        return out;
    }
    if (next.empty()) return std::nullopt;   // punctuation or the end follows: it was the point of the clause
    if (!the_x && std::find(function_words.begin(), function_words.end(), next) != function_words.end())
        return std::nullopt;
    if (the_x && before.empty()) return std::nullopt;
    std::string out(text.substr(0, b));
    // "a goddamn embarrassment" -> "an embarrassment"
    if (before == "a" && !the_x && std::string_view("aeiou").find(next.front()) != std::string_view::npos &&
        out.size() >= 2 && (out.ends_with("a ") || out.ends_with("A ")))
        out.insert(out.end() - 1, 'n');
    out.append(text.substr(e));
    return out;
}
}  // namespace nudgebot::nudge::drafting
