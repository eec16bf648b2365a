#include "engine/examples.hpp"

#include <algorithm>
#include <cstdio>
#include <tuple>

namespace nudgebot::engine {

namespace {

std::string fixed(float v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(v));
    return buf;
}

std::string fired_list(const analysis& a)
{
    std::string out;
    for (const auto& c : a.cues) {
        out += out.empty() ? "" : ", ";
        out += std::string(c.rule_id) + " (" + (c.weight >= 0 ? "+" : "") + fixed(c.weight) + ")";
    }
    return out.empty() ? "nothing fired" : "fired: " + out;
}

bool rule_fired(const analysis& a, std::string_view id)
{
    return std::any_of(a.cues.begin(), a.cues.end(), [&](const cue& c) { return c.rule_id == id; });
}

}  // namespace

std::string example_report::to_string() const
{
    core::diagnostics d;
    for (const auto& f : failures) d.error(f.file, f.line, f.column, f.message);
    return d.to_string();
}

example_report run_examples(const analyzer& rules)
{
    example_report report;
    analysis a;
    for (const auto& e : rules.examples()) {
        ++report.run;
        rules.analyze(e.text, sensitivity::medium, a);
        std::string problem;
        switch (e.what) {
        case pack_example::kind::fire:
            if (!rule_fired(a, e.rule_id))
                problem = "rule \"" + e.rule_id + "\" should fire on this example but did not; " +
                          fired_list(a);
            break;
        case pack_example::kind::quiet:
            if (rule_fired(a, e.rule_id))
                problem = "rule \"" + e.rule_id + "\" should stay quiet on this example but fired; " +
                          fired_list(a);
            break;
        case pack_example::kind::flag:
        case pack_example::kind::stay_quiet: {
            bool want = e.what == pack_example::kind::flag;
            if (a.flagged(e.cat) != want) {
                problem = std::string(want ? "expected" : "did not expect") + " a " +
                          std::string(to_string(e.cat)) + " flag at sensitivity medium: score " +
                          fixed(a.score(e.cat)) + ", threshold " +
                          fixed(rules.threshold(e.cat, sensitivity::medium)) + "; " + fired_list(a);
            }
            break;
        }
        }
        if (!problem.empty())
            report.failures.push_back({e.file, e.line, e.column, core::severity::error, problem});
    }
    std::stable_sort(report.failures.begin(), report.failures.end(), [](const auto& x, const auto& y) {
        return std::tie(x.file, x.line, x.column) < std::tie(y.file, y.line, y.column);
    });
    return report;
}

}  // namespace nudgebot::engine
