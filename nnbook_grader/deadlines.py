"""Late submissions: nbgrader's LateSubmissionPlugin with a penalty per day.

Due dates live in nbgrader_config.py (``c.Deadlines.due = {chapter: "2027-01-15 23:59:00 Europe/Berlin"}``);
the grader writes them into the gradebook (nnbook_grader/autograde.py, Course.set_due_dates), and nbgrader
compares them with each submission's ``timestamp.txt`` (written by ``nbgrader submit`` and kept by
``nbgrader collect``). For a late notebook nbgrader's AssignLatePenalties asks this plugin for the penalty
and records it in the gradebook; exports subtract it (score = raw score - penalty, never below 0).

Policy (nbgrader_config.py, ``c.LatePenalty.<name>``): after ``grace_hours`` nothing is taken; then
``per_day`` of the notebook's score for every started day late, at most ``cap`` of it
(per_day 0.1, cap 1.0: a day late costs 10 %, ten days or more everything).
"""

from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float


class LatePenalty(LateSubmissionPlugin):
    per_day = Float(0.1, help="fraction of the score lost per started day late").tag(config=True)
    grace_hours = Float(0.0, help="hours after the due date that cost nothing").tag(config=True)
    cap = Float(1.0, help="largest fraction of the score a late submission can lose").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        late = total_seconds_late - 3600 * self.grace_hours
        if late <= 0 or not score:
            return None
        days = math.ceil(late / 86400)
        penalty = score * min(self.cap, self.per_day * days)
        self.log.info("%s is %d started days late: penalty %.2f of %.2f", student_id, days, penalty, score)
        return penalty
