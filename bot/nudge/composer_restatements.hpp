// Reading the "restatements" section of a suggestion library (nudge/composer.hpp): for each
// family of what a heated message does (restatement_families in nudge/calmer_draft.hpp), what a
// restated calmer draft leaves out and how it says the point instead (for the reason line), and
// the lines a restatement is built from. Every family must be there with every key.
//
// Contract: internal to nudge/ (used by parse_suggestions). Reports every mistake as
// `FILE:LINE:COL: error: ...` into diags; fills only what is well formed.
#pragma once

#include "core/diagnostics.hpp"
#include "core/json_document.hpp"
#include "nudge/calmer_draft.hpp"

namespace nudgebot::nudge {

void parse_restatements(const core::json_document& doc, restatement_library& out, core::diagnostics& diags);

}  // namespace nudgebot::nudge
