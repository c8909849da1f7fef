package dev.lockstep.tui.plain;

import dev.lockstep.engine.RunRecord;
import dev.lockstep.engine.RunStatus;
import dev.lockstep.engine.SecondApprovals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code lockstep status} at 80 columns: two lines per run, newest first. The first names the runbook and the
 * run (the run id names its timeline file); the second says where it stands, in columns aligned across runs:
 * state, current step, holder, and how long ago the holder was last seen (its heartbeat).
 *
 * <pre>
 * CHG-2026-1120-enforcement-case-priority  run 20261121T024500Z-1b6eb
 *   paused  at backfill-open-cases  root@vm pid 28190  seen 4s ago
 * </pre>
 *
 * One line per run cannot hold a 40-character runbook id, a run id, a step and a holder in 80 columns without
 * cutting the runbook id to something that no longer tells runbooks apart. A value too long for its line is
 * shortened in the middle, so that both ends stay: a change number and what it does, a user and a pid.
 */
public final class StatusLines {

    private static final String GAP = "  ";
    private static final String INDENT = "  ";
    private static final String ELLIPSIS = "...";
    /** Neither the step nor the holder is shortened below this: a few characters of each end. */
    private static final int NARROWEST = 16;

    private StatusLines() {}

    /**
     * A holder whose lease no session holds any more reads {@code gone (user@host pid N)}: its process died
     * or lost its control session, and the heartbeat's age beside it says since when.
     */
    public static List<String> render(List<RunStatus> statuses, int width) {
        return render(statuses, width, "CONN");
    }

    /**
     * The same; a run whose R5 gate waits for a second approver gets two more lines: who may approve, and the
     * command that person runs, naming the database as {@code database}.
     */
    public static List<String> render(List<RunStatus> statuses, int width, String database) {
        List<String[]> details = new ArrayList<>();
        List<RunRecord> runs = new ArrayList<>();
        for (RunStatus status : statuses) {
            RunRecord run = status.run();
            runs.add(run);
            details.add(new String[] {
                run.state().label(),
                status.failure()
                        .map(failure -> "at " + failure.stepId() + " ("
                                + failure.failureClass().id() + ")")
                        .orElse(run.currentStep() == null ? "" : "at " + run.currentStep()),
                Boolean.TRUE.equals(status.holderGone())
                        ? "gone (" + run.holderDescription() + ")"
                        : run.holderDescription(),
                "seen " + ago(status.heartbeatAge())
            });
        }
        int[] widths = widths(details, width - INDENT.length());
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            RunRecord run = runs.get(i);
            String suffix = GAP + "run " + run.runId();
            lines.add(shortened(run.runbookId(), Math.max(NARROWEST, width - suffix.length())) + suffix);
            lines.add(INDENT + row(details.get(i), widths));
            SecondApprovals.Wait wait = statuses.get(i).secondApproval();
            if (wait != null) {
                // the command is one line to copy, however wide
                lines.add(INDENT + "waits for a second approver at " + wait.step() + " (another OS user than "
                        + wait.firstUser() + "), who runs:");
                lines.add(INDENT + INDENT + SecondApprovals.command(database, run.runbookId(), wait.step()));
            }
        }
        return lines;
    }

    private static String row(String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int column = 0; column < cells.length; column++) {
            if (widths[column] == 0) {
                continue; // no run has a current step: no empty column
            }
            String value =
                    column == 2 ? holder(cells[column], widths[column]) : shortened(cells[column], widths[column]);
            line.append(value);
            if (column < cells.length - 1) {
                line.append(" ".repeat(widths[column] - value.length())).append(GAP);
            }
        }
        return line.toString().stripTrailing();
    }

    /** Each column as wide as its widest value; then the wider of step and holder gives way until it fits. */
    private static int[] widths(List<String[]> rows, int width) {
        int[] widths = new int[4];
        for (String[] row : rows) {
            for (int column = 0; column < row.length; column++) {
                widths[column] = Math.max(widths[column], row[column].length());
            }
        }
        int total = GAP.length() * (widths.length - 1);
        for (int columnWidth : widths) {
            total += columnWidth;
        }
        while (total > width) {
            int wider = widths[1] >= widths[2] ? 1 : 2;
            if (widths[wider] <= NARROWEST) {
                wider = 3 - wider;
                if (widths[wider] <= NARROWEST) {
                    break;
                }
            }
            widths[wider]--;
            total--;
        }
        return widths;
    }

    /** {@code oncall-dba@bastion-...ternal pid 28190}: the pid is how an operator finds the process, keep it. */
    private static String holder(String value, int width) {
        int pid = value.lastIndexOf(" pid ");
        if (value.length() <= width || pid < 0) {
            return shortened(value, width);
        }
        String tail = value.substring(pid);
        return shortened(value.substring(0, pid), Math.max(ELLIPSIS.length() + 2, width - tail.length())) + tail;
    }

    /** {@code CHG-2026-1120-enfor...case-priority}: the start and the end, which tell values apart. */
    static String shortened(String value, int width) {
        if (value.length() <= width) {
            return value;
        }
        int kept = Math.max(2, width - ELLIPSIS.length());
        int head = (kept + 1) / 2;
        return value.substring(0, head) + ELLIPSIS + value.substring(value.length() - (kept - head));
    }

    /** 4s ago, 12m ago, 5h ago, 3d ago: how stale the holder's heartbeat is, at a glance. */
    static String ago(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + "s ago";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m ago";
        }
        if (seconds < 48 * 3600) {
            return seconds / 3600 + "h ago";
        }
        return seconds / 86400 + "d ago";
    }
}
