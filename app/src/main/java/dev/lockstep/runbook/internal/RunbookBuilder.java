package dev.lockstep.runbook.internal;

import dev.lockstep.Suggestions;
import dev.lockstep.runbook.ApprovalStep;
import dev.lockstep.runbook.BackfillStep;
import dev.lockstep.runbook.Bindings;
import dev.lockstep.runbook.BuiltinSignal;
import dev.lockstep.runbook.Change;
import dev.lockstep.runbook.ChangeClass;
import dev.lockstep.runbook.CheckStep;
import dev.lockstep.runbook.Durations;
import dev.lockstep.runbook.Evidence;
import dev.lockstep.runbook.Execution;
import dev.lockstep.runbook.Expectation;
import dev.lockstep.runbook.LedgerStep;
import dev.lockstep.runbook.NoteStep;
import dev.lockstep.runbook.OnFailure;
import dev.lockstep.runbook.Parameter;
import dev.lockstep.runbook.ParameterType;
import dev.lockstep.runbook.Phase;
import dev.lockstep.runbook.Position;
import dev.lockstep.runbook.Problem;
import dev.lockstep.runbook.Retry;
import dev.lockstep.runbook.RowBounds;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.Signal;
import dev.lockstep.runbook.SqlStep;
import dev.lockstep.runbook.Step;
import dev.lockstep.runbook.StepMarks;
import dev.lockstep.runbook.StopAction;
import dev.lockstep.runbook.StopCriterion;
import dev.lockstep.runbook.Threshold;
import dev.lockstep.runbook.UnknownPolicy;
import dev.lockstep.runbook.Value;
import dev.lockstep.runbook.Verify;
import dev.lockstep.runbook.WaitStep;
import dev.lockstep.runbook.Window;
import dev.lockstep.runbook.sql.SqlLexer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a positioned YAML tree into the runbook model, collecting every problem on the way: a wrong field
 * is reported and left out, and building goes on, so one run of {@code lockstep validate} lists them all.
 * With parameter values it also binds: {@code ${name}} references become literals.
 */
public final class RunbookBuilder {
    private static final Pattern WHOLE_REFERENCE = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final String file;
    private final Map<String, String> givenValues;
    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Position> parameterPositions = new HashMap<>();
    private final Map<String, Object> typedValues = new HashMap<>();
    private final Map<String, String> textValues = new HashMap<>();
    private final Map<Step, StepSource> stepSources = new IdentityHashMap<>();
    private Position stopCriteriaPosition = Position.START;
    private Position classPosition = Position.START;
    private Position phasePosition = Position.START;

    /** Where a step's parts were written, for the rules that check steps against each other. */
    record StepSource(Position position, Position idPosition, Map<String, Position> fields, boolean recovery) {
        Position at(String field) {
            return fields.getOrDefault(field, position);
        }
    }

    private RunbookBuilder(String file, Map<String, String> givenValues) {
        this.file = file;
        this.givenValues = givenValues;
    }

    /** The model if there was no problem, and every problem otherwise. */
    public record Built(Optional<Runbook> runbook, List<Problem> problems) {}

    /**
     * Builds and checks a runbook from its text.
     *
     * @param givenValues parameter values to bind ({@code --param}), or {@code null} to load unbound
     */
    public static Built build(String file, Path path, String source, String sha256, Map<String, String> givenValues) {
        RunbookBuilder builder = new RunbookBuilder(file, givenValues);
        YamlReader.Result read = YamlReader.read(file, source);
        builder.problems.addAll(read.problems());
        Optional<Runbook> runbook = read.root().flatMap(root -> builder.runbook(root, path, source, sha256));
        List<Problem> problems = new ArrayList<>(builder.problems);
        problems.sort(Problem.IN_FILE_ORDER);
        return new Built(problems.isEmpty() ? runbook : Optional.empty(), List.copyOf(problems));
    }

    private static final List<String> TOP_KEYS = List.of(
            "lockstep",
            "id",
            "title",
            "owner",
            "intent",
            "change",
            "window",
            "parameters",
            "stop_criteria",
            "steps",
            "recovery");

    private Optional<Runbook> runbook(YamlNode root, Path path, String source, String sha256) {
        if (!(root instanceof YamlNode.Mapping top)) {
            problem(root.position(), "a runbook is a mapping that starts with 'lockstep: 1', got " + root.describe());
            return Optional.empty();
        }
        checkKeys(top, "the runbook", TOP_KEYS);
        Optional<Integer> version = required(top, "lockstep", "the runbook")
                .flatMap(node -> literal(node, "lockstep", FieldKind.integer(0, Integer.MAX_VALUE)));
        version.filter(number -> number != 1)
                .ifPresent(number -> problem(
                        top.entry("lockstep").orElseThrow().value().position(),
                        "unsupported format version " + number + ": this Lockstep reads 'lockstep: 1'"));
        String id = requiredText(top, "id", "the runbook").orElse("");
        if (!id.isEmpty() && !ID.matcher(id).matches()) {
            problem(
                    top.entry("id").orElseThrow().value().position(),
                    "id '" + id
                            + "' may hold only letters, digits, '.', '_' and '-' (at most 100, starting with a letter or digit)");
        }
        String title = requiredText(top, "title", "the runbook").orElse("");
        String owner = requiredText(top, "owner", "the runbook").orElse("");
        String intent = requiredText(top, "intent", "the runbook").orElse("");
        Optional<Change> change = required(top, "change", "the runbook").flatMap(this::change);
        Optional<Window> window = top.entry("window").flatMap(entry -> window(entry.value()));
        top.entry("parameters").ifPresent(entry -> parameters(entry.value()));
        bindParameters(top);
        List<StopCriterion> criteria = top.entry("stop_criteria")
                .map(entry -> {
                    stopCriteriaPosition = entry.keyPosition();
                    return list(entry.value(), "stop_criteria", this::stopCriterion);
                })
                .orElse(List.of());
        List<Step> steps = required(top, "steps", "the runbook")
                .map(node -> list(node, "steps", item -> step(item, false)))
                .orElse(List.of());
        if (top.entry("steps").isPresent()
                && top.entry("steps").get().value() instanceof YamlNode.Sequence sequence
                && sequence.items().isEmpty()) {
            problem(top.entry("steps").get().keyPosition(), "a runbook needs at least one step");
        }
        List<Step> recovery = top.entry("recovery")
                .map(entry -> list(entry.value(), "recovery", item -> step(item, true)))
                .orElse(List.of());
        new RunbookRules(this, change, criteria, steps, recovery).check();
        if (!problems.isEmpty() || version.isEmpty() || change.isEmpty()) {
            return Optional.empty();
        }
        Bindings bindings = givenValues == null ? Bindings.NONE : new Bindings(typedValues, secretNames());
        return Optional.of(new Runbook(
                version.get(),
                id,
                title,
                owner,
                intent,
                change.get(),
                window,
                List.copyOf(parameters.values()),
                criteria,
                steps,
                recovery,
                path,
                sha256,
                source,
                bindings));
    }

    // ---- top-level parts ----

    private Optional<Change> change(YamlNode node) {
        return mapping(node, "change").flatMap(map -> {
            checkKeys(map, "change", List.of("class", "phase"));
            map.entry("class").ifPresent(entry -> classPosition = entry.value().position());
            map.entry("phase").ifPresent(entry -> phasePosition = entry.value().position());
            Optional<ChangeClass> changeClass = required(map, "class", "change")
                    .flatMap(value -> choice(value, "class", ChangeClass.class, Enum::name));
            Optional<Phase> phase = required(map, "phase", "change")
                    .flatMap(value -> choice(value, "phase", Phase.class, Phase::yamlName));
            return changeClass.isPresent() && phase.isPresent()
                    ? Optional.of(new Change(changeClass.get(), phase.get()))
                    : Optional.empty();
        });
    }

    private Optional<Window> window(YamlNode node) {
        return mapping(node, "window").flatMap(map -> {
            checkKeys(map, "window", List.of("ends_at", "duration"));
            Optional<OffsetDateTime> endsAt = map.entry("ends_at")
                    .flatMap(entry -> text(entry.value(), "ends_at").flatMap(text -> {
                        try {
                            return Optional.of(OffsetDateTime.parse(text));
                        } catch (DateTimeParseException notATime) {
                            problem(
                                    entry.value().position(),
                                    "expected a time with offset like \"2026-11-21T02:00:00Z\", got '" + text + "'");
                            return Optional.empty();
                        }
                    }));
            Optional<Value<Duration>> duration =
                    map.entry("duration").flatMap(entry -> value(entry.value(), "duration", FieldKind.duration()));
            boolean both =
                    map.entry("ends_at").isPresent() && map.entry("duration").isPresent();
            boolean neither =
                    map.entry("ends_at").isEmpty() && map.entry("duration").isEmpty();
            if (both || neither) {
                problem(map.position(), "window needs exactly one of ends_at or duration");
                return Optional.empty();
            }
            return Optional.of(new Window(endsAt, duration));
        });
    }

    private void parameters(YamlNode node) {
        mapping(node, "parameters").ifPresent(map -> {
            for (YamlNode.Entry entry : map.entries()) {
                String name = entry.key();
                if (!NAME.matcher(name).matches()) {
                    problem(
                            entry.keyPosition(),
                            "parameter name '" + name + "' must be letters, digits and '_', not starting with a digit");
                    continue;
                }
                parameterPositions.put(name, entry.keyPosition());
                parameter(name, entry.value()).ifPresent(parameter -> parameters.put(name, parameter));
            }
        });
    }

    private Optional<Parameter> parameter(String name, YamlNode node) {
        String context = "parameter '" + name + "'";
        return mapping(node, context).flatMap(map -> {
            checkKeys(map, context, List.of("type", "default", "required", "secret", "description"));
            Optional<ParameterType> type = required(map, "type", context)
                    .flatMap(value -> choice(value, "type", ParameterType.class, ParameterType::yamlName));
            Optional<String> defaultValue = map.entry("default").flatMap(entry -> text(entry.value(), "default"));
            boolean secret = map.entry("secret")
                    .flatMap(entry -> bool(entry.value(), "secret"))
                    .orElse(false);
            Optional<Boolean> requiredFlag = map.entry("required").flatMap(entry -> bool(entry.value(), "required"));
            Optional<String> description =
                    map.entry("description").flatMap(entry -> text(entry.value(), "description"));
            if (type.isPresent() && defaultValue.isPresent()) {
                try {
                    FieldKind.parameterValue(type.get(), defaultValue.get());
                } catch (IllegalArgumentException wrong) {
                    problem(
                            map.entry("default").get().value().position(),
                            "default of " + context + ": " + wrong.getMessage() + " for type "
                                    + type.get().yamlName());
                }
            }
            if (requiredFlag.orElse(false) && defaultValue.isPresent()) {
                problem(
                        map.entry("required").get().value().position(),
                        context + " is required and has a default: drop one of them");
            }
            if (requiredFlag.isPresent() && !requiredFlag.get() && defaultValue.isEmpty()) {
                problem(
                        map.entry("required").get().value().position(),
                        context + " is optional but has no default: give it a default");
            }
            return type.map(parameterType ->
                    new Parameter(name, parameterType, defaultValue, defaultValue.isEmpty(), secret, description));
        });
    }

    /** With values to bind: checks them and turns given text and defaults into typed values. */
    private void bindParameters(YamlNode.Mapping top) {
        if (givenValues == null) {
            return;
        }
        Position at = top.entry("parameters").map(YamlNode.Entry::keyPosition).orElse(Position.START);
        for (String name : new TreeMap<>(givenValues).keySet()) {
            if (!parameters.containsKey(name)) {
                problem(
                        at,
                        "--param " + name + ": the runbook declares no parameter '" + name + "'"
                                + Suggestions.didYouMean(name, parameters.keySet()));
            }
        }
        for (Parameter parameter : parameters.values()) {
            Optional<String> text =
                    Optional.ofNullable(givenValues.get(parameter.name())).or(parameter::defaultValue);
            if (text.isEmpty()) {
                problem(
                        parameterPositions.get(parameter.name()),
                        "parameter '" + parameter.name() + "' is required: give --param " + parameter.name()
                                + "=VALUE");
                continue;
            }
            try {
                typedValues.put(parameter.name(), FieldKind.parameterValue(parameter.type(), text.get()));
                textValues.put(parameter.name(), text.get());
            } catch (IllegalArgumentException wrong) {
                String shown = parameter.secret() ? "****" : text.get();
                String reason =
                        parameter.secret() ? "not a valid " + parameter.type().yamlName() : wrong.getMessage();
                problem(
                        parameterPositions.get(parameter.name()),
                        "--param " + parameter.name() + "=" + shown + ": " + reason + " (parameter type "
                                + parameter.type().yamlName() + ")");
            }
        }
    }

    private Set<String> secretNames() {
        Set<String> secrets = new HashSet<>();
        parameters.values().stream().filter(Parameter::secret).forEach(parameter -> secrets.add(parameter.name()));
        return secrets;
    }

    private Optional<StopCriterion> stopCriterion(YamlNode node) {
        return mapping(node, "stop criterion").flatMap(map -> {
            String id = requiredText(map, "id", "stop criterion").orElse("?");
            String context = "stop criterion '" + id + "'";
            checkKeys(
                    map,
                    context,
                    List.of(
                            "id",
                            "signal",
                            "above",
                            "below",
                            "for",
                            "clear_below",
                            "clear_above",
                            "action",
                            "unknown",
                            "auto_resume",
                            "description"));
            Optional<Signal> signal = required(map, "signal", context).flatMap(this::signal);
            BuiltinSignal.Unit unit = signal.map(Signal::unit).orElse(BuiltinSignal.Unit.COUNT);
            Optional<YamlNode.Entry> above = map.entry("above");
            Optional<YamlNode.Entry> below = map.entry("below");
            Optional<Threshold> threshold = Optional.empty();
            if (above.isPresent() == below.isPresent()) {
                problem(map.position(), context + " needs exactly one of above or below");
            } else {
                Threshold.Direction direction =
                        above.isPresent() ? Threshold.Direction.ABOVE : Threshold.Direction.BELOW;
                YamlNode.Entry entry = above.orElseGet(below::get);
                threshold = value(entry.value(), entry.key(), FieldKind.threshold(unit))
                        .map(limit -> new Threshold(direction, limit));
            }
            Optional<Value<Double>> clear = Optional.empty();
            for (String key : List.of("clear_below", "clear_above")) {
                Optional<YamlNode.Entry> entry = map.entry(key);
                if (entry.isEmpty()) {
                    continue;
                }
                boolean matches = key.equals("clear_below") ? above.isPresent() : below.isPresent();
                if (!matches) {
                    problem(
                            entry.get().keyPosition(),
                            key + " goes with " + (key.equals("clear_below") ? "above" : "below")
                                    + (key.equals("clear_below")
                                            ? ": use clear_above with below"
                                            : ": use clear_below with above"));
                    continue;
                }
                clear = value(entry.get().value(), key, FieldKind.threshold(unit));
                checkHysteresis(threshold, clear, entry.get());
            }
            Value<Duration> debounce = map.entry("for")
                    .flatMap(entry -> value(entry.value(), "for", FieldKind.duration()))
                    .orElse(Value.of(Duration.ZERO));
            Optional<StopAction> action = required(map, "action", context)
                    .flatMap(value -> choice(value, "action", StopAction.class, this::lower));
            UnknownPolicy unknown = map.entry("unknown")
                    .flatMap(entry -> choice(entry.value(), "unknown", UnknownPolicy.class, this::lower))
                    .orElse(UnknownPolicy.BREACH);
            boolean autoResume = map.entry("auto_resume")
                    .flatMap(entry -> bool(entry.value(), "auto_resume"))
                    .orElse(false);
            if (autoResume && action.isPresent() && action.get() != StopAction.PAUSE) {
                problem(
                        map.entry("auto_resume").get().keyPosition(),
                        "auto_resume applies to action pause only (" + context + " has action " + lower(action.get())
                                + ")");
            }
            if (signal.isEmpty() || threshold.isEmpty() || action.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new StopCriterion(
                    id, signal.get(), threshold.get(), debounce, clear, action.get(), unknown, autoResume));
        });
    }

    private void checkHysteresis(Optional<Threshold> threshold, Optional<Value<Double>> clear, YamlNode.Entry entry) {
        if (threshold.isEmpty()
                || clear.isEmpty()
                || !(threshold.get().value() instanceof Value.Literal<Double> limit)
                || !(clear.get() instanceof Value.Literal<Double> clearAt)) {
            return;
        }
        boolean above = threshold.get().direction() == Threshold.Direction.ABOVE;
        if (above ? clearAt.value() > limit.value() : clearAt.value() < limit.value()) {
            problem(
                    entry.value().position(),
                    entry.key() + " " + number(clearAt.value()) + " is on the breached side of "
                            + (above ? "above " : "below ") + number(limit.value()) + ": the breach could never clear");
        }
    }

    private Optional<Signal> signal(YamlNode node) {
        if (node instanceof YamlNode.Mapping map) {
            checkKeys(map, "signal", List.of("sql"));
            Optional<String> sql = required(map, "sql", "signal").flatMap(value -> sql(value, "sql"));
            sql.flatMap(text -> SqlLexer.statements(text).stream()
                            .filter(statement -> !statement.isReadOnly())
                            .findFirst())
                    .ifPresent(statement -> problem(
                            map.entry("sql").get().value().position(),
                            "a signal query only reads, but this one runs " + statement.head(3)));
            return sql.map(Signal.Sql::new);
        }
        return text(node, "signal").flatMap(name -> {
            Optional<BuiltinSignal> builtin = BuiltinSignal.byName(name);
            if (builtin.isEmpty()) {
                problem(
                        node.position(),
                        "unknown signal '" + name + "'" + Suggestions.didYouMean(name, BuiltinSignal.names())
                                + "; built-in signals are " + String.join(", ", BuiltinSignal.names())
                                + ", or { sql: ... }");
            }
            return builtin.map(Signal.Builtin::new);
        });
    }

    // ---- steps ----

    private static final List<String> COMMON_STEP_KEYS =
            List.of("id", "kind", "title", "phase", "critical", "rollback_boundary");
    private static final List<String> EXECUTION_KEYS = List.of("timeout", "lock_timeout", "retry", "estimate");
    private static final Map<String, List<String>> STEP_KEYS = Map.of(
            "sql", concat(EXECUTION_KEYS, List.of("sql", "transaction", "verify", "expect_rows", "on_failure")),
            "check", concat(EXECUTION_KEYS, List.of("sql", "expect", "on_failure", "evidence", "precondition")),
            "wait", List.of("sql", "expect", "interval", "timeout", "on_failure"),
            "approval", List.of("prompt", "confirm", "evidence"),
            "backfill",
                    concat(
                            EXECUTION_KEYS,
                            List.of(
                                    "table",
                                    "key",
                                    "key_type",
                                    "batch",
                                    "sql",
                                    "estimate_rows",
                                    "verify",
                                    "on_failure")),
            "note", List.of("text"),
            "ledger", List.of("tool", "schema", "expect_version", "acknowledge", "on_failure"));
    public static final List<String> STEP_KINDS =
            List.of("sql", "check", "wait", "approval", "backfill", "note", "ledger");

    private Optional<Step> step(YamlNode node, boolean recovery) {
        return mapping(node, "step").flatMap(map -> {
            Optional<String> id = requiredText(map, "id", "step");
            Position idPosition =
                    map.entry("id").map(entry -> entry.value().position()).orElse(map.position());
            id.filter(text -> !ID.matcher(text).matches())
                    .ifPresent(text -> problem(
                            idPosition, "step id '" + text + "' may hold only letters, digits, '.', '_' and '-'"));
            String context = "step '" + id.orElse("?") + "'";
            Optional<String> kind = required(map, "kind", context).flatMap(value -> text(value, "kind"));
            if (kind.isPresent() && !STEP_KEYS.containsKey(kind.get())) {
                problem(
                        map.entry("kind").get().value().position(),
                        "unknown step kind '" + kind.get() + "'" + Suggestions.didYouMean(kind.get(), STEP_KINDS)
                                + "; kinds are " + String.join(", ", STEP_KINDS));
                return Optional.empty();
            }
            if (kind.isEmpty()) {
                return Optional.empty();
            }
            checkStepKeys(map, context, kind.get());
            Optional<String> title = map.entry("title").flatMap(entry -> text(entry.value(), "title"));
            Optional<Phase> phase =
                    map.entry("phase").flatMap(entry -> choice(entry.value(), "phase", Phase.class, Phase::yamlName));
            Map<String, Position> fields = new HashMap<>();
            map.entries().forEach(entry -> fields.put(entry.key(), entry.value().position()));
            Optional<Step> step = buildStep(map, context, kind.get(), id.orElse(""), title, phase);
            if (id.isEmpty()) {
                return Optional.empty();
            }
            step.ifPresent(
                    built -> stepSources.put(built, new StepSource(map.position(), idPosition, fields, recovery)));
            return step;
        });
    }

    private Optional<Step> buildStep(
            YamlNode.Mapping map,
            String context,
            String kind,
            String id,
            Optional<String> title,
            Optional<Phase> phase) {
        switch (kind) {
            case "sql": {
                String sql = requiredSql(map, context);
                boolean transaction = map.entry("transaction")
                        .flatMap(entry -> bool(entry.value(), "transaction"))
                        .orElse(true);
                Optional<Verify> verify = map.entry("verify").flatMap(entry -> verify(entry.value()));
                Optional<RowBounds> rows = map.entry("expect_rows").flatMap(entry -> rowBounds(entry.value()));
                return Optional.of(new SqlStep(
                        id, title, phase, sql, transaction, execution(map), verify, rows, onFailure(map), marks(map)));
            }
            case "check": {
                String sql = requiredSql(map, context);
                Expectation expect = required(map, "expect", context)
                        .flatMap(this::expectation)
                        .orElse(new Expectation(List.of()));
                return Optional.of(
                        new CheckStep(id, title, phase, sql, expect, execution(map), onFailure(map), marks(map)));
            }
            case "wait": {
                String sql = requiredSql(map, context);
                Expectation expect = map.entry("expect")
                        .flatMap(entry -> expectation(entry.value()))
                        .orElse(new Expectation(
                                List.of(new Expectation.Comparison(Expectation.Operator.EQUALS, Value.of(true)))));
                Value<Duration> interval = map.entry("interval")
                        .flatMap(entry -> value(entry.value(), "interval", FieldKind.duration()))
                        .orElse(Value.of(WaitStep.DEFAULT_INTERVAL));
                Optional<Value<Duration>> timeout = required(map, "timeout", context)
                        .flatMap(value -> value(value, "timeout", FieldKind.duration()));
                return timeout.map(limit ->
                        new WaitStep(id, title, phase, sql, expect, interval, limit, onFailure(map), marks(map)));
            }
            case "approval": {
                String prompt = requiredText(map, "prompt", context).orElse("");
                ApprovalStep.Confirm confirm = map.entry("confirm")
                        .flatMap(entry -> choice(entry.value(), "confirm", ApprovalStep.Confirm.class, this::lower))
                        .orElse(ApprovalStep.Confirm.YES);
                return Optional.of(new ApprovalStep(id, title, phase, prompt, confirm, marks(map)));
            }
            case "backfill":
                return backfill(map, context, id, title, phase);
            case "ledger": {
                Optional<String> tool = required(map, "tool", context).flatMap(node -> {
                    Optional<String> named = text(node, "tool");
                    if (named.isPresent() && !LEDGER_TOOLS.contains(named.get())) {
                        problem(
                                node.position(),
                                "tool: expected one of " + String.join(", ", LEDGER_TOOLS) + ", got '" + named.get()
                                        + "'" + Suggestions.didYouMean(named.get(), LEDGER_TOOLS));
                        return Optional.empty();
                    }
                    return named;
                });
                Optional<String> schema = map.entry("schema").flatMap(entry -> text(entry.value(), "schema"));
                Optional<String> version =
                        map.entry("expect_version").flatMap(entry -> text(entry.value(), "expect_version"));
                Optional<String> acknowledge =
                        map.entry("acknowledge").flatMap(entry -> text(entry.value(), "acknowledge"));
                acknowledge
                        .filter(String::isBlank)
                        .ifPresent(blank -> problem(
                                map.entry("acknowledge").get().value().position(),
                                "acknowledge: give the reason the runbook goes on despite the ledger's state"));
                return tool.map(named -> new LedgerStep(
                        id, title, phase, named, schema, version, acknowledge, onFailure(map), marks(map)));
            }
            default: {
                String text = requiredText(map, "text", context).orElse("");
                return Optional.of(new NoteStep(id, title, phase, text, marks(map)));
            }
        }
    }

    private static final List<String> LEDGER_TOOLS = List.of("flyway", "liquibase");

    private Optional<Step> backfill(
            YamlNode.Mapping map, String context, String id, Optional<String> title, Optional<Phase> phase) {
        Optional<String> table = requiredText(map, "table", context);
        Optional<String> key = requiredText(map, "key", context);
        BackfillStep.KeyType keyType = map.entry("key_type")
                .flatMap(entry -> choice(entry.value(), "key_type", BackfillStep.KeyType.class, this::lower))
                .orElse(BackfillStep.KeyType.INTEGER);
        Optional<BackfillStep.Batch> batch = required(map, "batch", context).flatMap(this::batch);
        String sql = requiredSql(map, context);
        Optional<Value<Long>> estimateRows =
                map.entry("estimate_rows").flatMap(entry -> value(entry.value(), "estimate_rows", FieldKind.count()));
        Optional<Verify> verify = map.entry("verify").flatMap(entry -> verify(entry.value()));
        if (table.isEmpty() || key.isEmpty() || batch.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new BackfillStep(
                id,
                title,
                phase,
                table.get(),
                key.get(),
                keyType,
                batch.get(),
                sql,
                estimateRows,
                execution(map),
                verify,
                onFailure(map),
                marks(map)));
    }

    private Optional<BackfillStep.Batch> batch(YamlNode node) {
        return mapping(node, "batch").flatMap(map -> {
            checkKeys(map, "batch", List.of("size", "target", "min", "max", "pause"));
            FieldKind<Integer> rows = FieldKind.integer(1, 10_000_000);
            Optional<Value<Integer>> size = required(map, "size", "batch").flatMap(value -> value(value, "size", rows));
            Optional<Value<Duration>> target =
                    map.entry("target").flatMap(entry -> value(entry.value(), "target", FieldKind.duration()));
            Optional<Value<Integer>> min = map.entry("min").flatMap(entry -> value(entry.value(), "min", rows));
            Optional<Value<Integer>> max = map.entry("max").flatMap(entry -> value(entry.value(), "max", rows));
            Value<Duration> pause = map.entry("pause")
                    .flatMap(entry -> value(entry.value(), "pause", FieldKind.duration()))
                    .orElse(Value.of(Duration.ZERO));
            if ((min.isPresent() || max.isPresent()) && target.isEmpty()) {
                problem(
                        map.position(),
                        "batch min and max bound an adaptive size: they need a target (e.g. target: 200ms)");
            }
            literalOrder(min, size, map, "min", "size");
            literalOrder(size, max, map, "size", "max");
            literalOrder(min, max, map, "min", "max");
            return size.map(batchSize -> new BackfillStep.Batch(batchSize, target, min, max, pause));
        });
    }

    private <T extends Comparable<T>> void literalOrder(
            Optional<Value<T>> low, Optional<Value<T>> high, YamlNode.Mapping map, String lowKey, String highKey) {
        if (low.isPresent()
                && high.isPresent()
                && low.get() instanceof Value.Literal<T> lowValue
                && high.get() instanceof Value.Literal<T> highValue
                && lowValue.value().compareTo(highValue.value()) > 0) {
            problem(
                    map.entry(lowKey).map(entry -> entry.value().position()).orElse(map.position()),
                    lowKey + " " + lowValue + " is greater than " + highKey + " " + highValue);
        }
    }

    private Execution execution(YamlNode.Mapping map) {
        Optional<Value<Duration>> timeout =
                map.entry("timeout").flatMap(entry -> value(entry.value(), "timeout", FieldKind.duration()));
        Value<Duration> lockTimeout = map.entry("lock_timeout")
                .flatMap(entry -> value(entry.value(), "lock_timeout", FieldKind.duration()))
                .orElse(Value.of(Execution.DEFAULT_LOCK_TIMEOUT));
        Retry retry = map.entry("retry").flatMap(entry -> retry(entry.value())).orElse(Retry.DEFAULT);
        Optional<Value<Duration>> estimate =
                map.entry("estimate").flatMap(entry -> value(entry.value(), "estimate", FieldKind.duration()));
        return new Execution(timeout, lockTimeout, retry, estimate);
    }

    private Optional<Retry> retry(YamlNode node) {
        return mapping(node, "retry").flatMap(map -> {
            checkKeys(map, "retry", List.of("attempts", "backoff", "codes"));
            Value<Integer> attempts = map.entry("attempts")
                    .flatMap(entry -> value(entry.value(), "attempts", FieldKind.integer(1, 1000)))
                    .orElse(Retry.DEFAULT.attempts());
            Duration low = Retry.DEFAULT.backoffMin();
            Duration high = Retry.DEFAULT.backoffMax();
            Optional<YamlNode.Entry> backoff = map.entry("backoff");
            if (backoff.isPresent()) {
                Optional<String> text = text(backoff.get().value(), "backoff");
                Optional<Duration[]> range = text.flatMap(
                        written -> backoffRange(written, backoff.get().value().position()));
                if (range.isPresent()) {
                    low = range.get()[0];
                    high = range.get()[1];
                }
            }
            List<String> codes =
                    map.entry("codes").map(entry -> sqlStates(entry.value())).orElse(Retry.DEFAULT_CODES);
            return Optional.of(new Retry(attempts, low, high, codes));
        });
    }

    private Optional<Duration[]> backoffRange(String text, Position position) {
        String[] parts = text.split("\\.\\.", -1);
        try {
            Duration low = Durations.parse(parts[0].strip());
            Duration high = parts.length == 2 ? Durations.parse(parts[1].strip()) : low;
            if (parts.length > 2) {
                throw new IllegalArgumentException("expected a backoff like 1s..30s, got '" + text + "'");
            }
            if (low.compareTo(high) > 0) {
                throw new IllegalArgumentException(
                        "backoff " + text + " runs backwards: write the shorter delay first");
            }
            return Optional.of(new Duration[] {low, high});
        } catch (IllegalArgumentException wrong) {
            problem(position, "backoff: " + wrong.getMessage());
            return Optional.empty();
        }
    }

    private List<String> sqlStates(YamlNode node) {
        List<String> codes = new ArrayList<>();
        if (!(node instanceof YamlNode.Sequence sequence)) {
            problem(
                    node.position(),
                    "codes: expected a list of SQLSTATE codes like [55P03, 40P01], got " + node.describe());
            return Retry.DEFAULT_CODES;
        }
        for (YamlNode item : sequence.items()) {
            text(item, "codes").ifPresent(code -> {
                if (code.matches("[0-9A-Z]{5}")) {
                    codes.add(code);
                } else {
                    problem(item.position(), "expected a five-character SQLSTATE like 55P03, got '" + code + "'");
                }
            });
        }
        return codes;
    }

    private Optional<Verify> verify(YamlNode node) {
        return mapping(node, "verify").flatMap(map -> {
            for (YamlNode.Entry entry : map.entries()) {
                if (Arrays.stream(Expectation.Operator.values())
                        .anyMatch(operator -> operator.yamlName().equals(entry.key()))) {
                    problem(
                            entry.keyPosition(),
                            "verify takes its comparison under expect: expect: { " + entry.key() + ": ... }");
                }
            }
            checkKeys(map, "verify", List.of("sql", "expect", "equals", "not_equals", "at_least", "at_most"));
            String sql = requiredSql(map, "verify");
            Optional<Expectation> expect = required(map, "expect", "verify").flatMap(this::expectation);
            return expect.map(expectation -> new Verify(sql, expectation));
        });
    }

    private Optional<Expectation> expectation(YamlNode node) {
        return mapping(node, "expect").flatMap(map -> {
            List<String> operators = Arrays.stream(Expectation.Operator.values())
                    .map(Expectation.Operator::yamlName)
                    .toList();
            checkKeys(map, "expect", operators);
            List<Expectation.Comparison> comparisons = new ArrayList<>();
            for (Expectation.Operator operator : Expectation.Operator.values()) {
                map.entry(operator.yamlName())
                        .flatMap(entry ->
                                value(entry.value(), operator.yamlName(), FieldKind.operand(operator.numericOnly())))
                        .ifPresent(operand -> comparisons.add(new Expectation.Comparison(operator, operand)));
            }
            if (map.entries().isEmpty()) {
                problem(map.position(), "expect needs a comparison: one of " + String.join(", ", operators));
                return Optional.empty();
            }
            if (map.entry("equals").isPresent() && map.entries().size() > 1) {
                problem(
                        map.position(),
                        "expect: equals stands alone; combine at_least, at_most and not_equals instead");
            }
            return Optional.of(new Expectation(comparisons));
        });
    }

    private Optional<RowBounds> rowBounds(YamlNode node) {
        return mapping(node, "expect_rows").flatMap(map -> {
            checkKeys(map, "expect_rows", List.of("min", "max"));
            Optional<Value<Long>> min =
                    map.entry("min").flatMap(entry -> value(entry.value(), "min", FieldKind.count()));
            Optional<Value<Long>> max =
                    map.entry("max").flatMap(entry -> value(entry.value(), "max", FieldKind.count()));
            if (map.entries().isEmpty()) {
                problem(map.position(), "expect_rows needs min, max or both");
                return Optional.empty();
            }
            literalOrder(min, max, map, "min", "max");
            return Optional.of(new RowBounds(min, max));
        });
    }

    private StepMarks marks(YamlNode.Mapping step) {
        boolean critical = step.entry("critical")
                .flatMap(entry -> bool(entry.value(), "critical"))
                .orElse(true);
        boolean boundary = step.entry("rollback_boundary")
                .flatMap(entry -> bool(entry.value(), "rollback_boundary"))
                .orElse(false);
        // evidence: only approval and check steps accept the key (checked with the step's keys)
        Optional<Evidence> evidence =
                step.entry("evidence").flatMap(entry -> choice(entry.value(), "evidence", Evidence.class, this::lower));
        // precondition: only check steps accept the key (checked with the step's keys)
        boolean precondition = step.entry("precondition")
                .flatMap(entry -> bool(entry.value(), "precondition"))
                .orElse(false);
        return new StepMarks(critical, boundary, evidence, precondition);
    }

    private OnFailure onFailure(YamlNode.Mapping step) {
        return step.entry("on_failure")
                .flatMap(entry -> mapping(entry.value(), "on_failure"))
                .map(map -> {
                    checkKeys(map, "on_failure", List.of("repair", "roll_forward", "rollback"));
                    if (map.entries().isEmpty()) {
                        problem(map.position(), "on_failure needs repair, roll_forward or rollback");
                    }
                    return new OnFailure(
                            map.entry("repair").flatMap(entry -> text(entry.value(), "repair")),
                            map.entry("roll_forward").flatMap(entry -> text(entry.value(), "roll_forward")),
                            map.entry("rollback").flatMap(entry -> text(entry.value(), "rollback")));
                })
                .orElse(OnFailure.NONE);
    }

    private void checkStepKeys(YamlNode.Mapping map, String context, String kind) {
        List<String> allowed = concat(COMMON_STEP_KEYS, STEP_KEYS.get(kind));
        for (YamlNode.Entry entry : map.entries()) {
            if (allowed.contains(entry.key())) {
                continue;
            }
            List<String> kindsWithKey = STEP_KINDS.stream()
                    .filter(other -> STEP_KEYS.get(other).contains(entry.key()))
                    .toList();
            if (!kindsWithKey.isEmpty()) {
                problem(
                        entry.keyPosition(),
                        "key '" + entry.key() + "' does not apply to a " + kind + " step (" + context
                                + "); it belongs to " + String.join(", ", kindsWithKey) + " steps");
            } else {
                unknownKey(entry, context, allowed);
            }
        }
    }

    // ---- scalar helpers ----

    private <T> List<T> list(YamlNode node, String what, Function<YamlNode, Optional<T>> item) {
        if (!(node instanceof YamlNode.Sequence sequence)) {
            problem(node.position(), what + ": expected a list (items start with '- '), got " + node.describe());
            return List.of();
        }
        List<T> items = new ArrayList<>();
        for (YamlNode element : sequence.items()) {
            item.apply(element).ifPresent(items::add);
        }
        return List.copyOf(items);
    }

    private Optional<YamlNode.Mapping> mapping(YamlNode node, String what) {
        if (node instanceof YamlNode.Mapping map) {
            return Optional.of(map);
        }
        problem(node.position(), what + ": expected a mapping of keys, got " + node.describe());
        return Optional.empty();
    }

    private Optional<YamlNode> required(YamlNode.Mapping map, String key, String context) {
        Optional<YamlNode.Entry> entry = map.entry(key);
        if (entry.isEmpty()) {
            problem(map.position(), context + ": missing required key '" + key + "'");
        }
        return entry.map(YamlNode.Entry::value);
    }

    private Optional<String> requiredText(YamlNode.Mapping map, String key, String context) {
        return required(map, key, context).flatMap(node -> text(node, key)).filter(text -> {
            if (text.isBlank()) {
                problem(map.entry(key).get().value().position(), key + " is empty");
                return false;
            }
            return true;
        });
    }

    /** Plain text; a {@code ${name}} here is refused because only SQL and typed fields are substituted. */
    private Optional<String> text(YamlNode node, String key) {
        if (!(node instanceof YamlNode.Scalar scalar) || scalar.kind() == YamlNode.Scalar.Kind.NULL) {
            problem(node.position(), key + ": expected text, got " + node.describe());
            return Optional.empty();
        }
        if (scalar.text().contains("${")) {
            problem(
                    node.position(),
                    key + ": parameters are substituted only in SQL and in numeric or duration fields");
        }
        return Optional.of(scalar.text());
    }

    private String requiredSql(YamlNode.Mapping map, String context) {
        return required(map, "sql", context).flatMap(node -> sql(node, "sql")).orElse("");
    }

    /** SQL text: every {@code ${name}} must be declared; when binding, it is replaced by the value as given. */
    private Optional<String> sql(YamlNode node, String key) {
        if (!(node instanceof YamlNode.Scalar scalar) || scalar.kind() != YamlNode.Scalar.Kind.STRING) {
            problem(node.position(), key + ": expected SQL text, got " + node.describe());
            return Optional.empty();
        }
        if (scalar.text().isBlank()) {
            problem(node.position(), key + " is empty");
            return Optional.empty();
        }
        boolean known = true;
        for (String name : ParameterReferences.names(scalar.text())) {
            known &= declared(name, node.position(), "SQL");
        }
        if (givenValues == null || !known) {
            return Optional.of(scalar.text());
        }
        return Optional.of(ParameterReferences.substitute(
                scalar.text(), name -> textValues.getOrDefault(name, "${" + name + "}")));
    }

    private boolean declared(String name, Position position, String where) {
        if (parameters.containsKey(name)) {
            return true;
        }
        if (!NAME.matcher(name).matches()) {
            problem(
                    position,
                    "malformed parameter reference '${" + name + "}': write ${name} with letters, digits and '_'");
        } else if (!parameterPositions.containsKey(name)) {
            problem(
                    position,
                    "parameter '" + name + "' is used in " + where + " but not declared under parameters"
                            + Suggestions.didYouMean(name, parameters.keySet()));
        }
        return false;
    }

    /** A typed field: a literal, or {@code ${name}} naming a declared parameter of a fitting type. */
    private <T> Optional<Value<T>> value(YamlNode node, String key, FieldKind<T> kind) {
        if (!(node instanceof YamlNode.Scalar scalar)) {
            problem(node.position(), key + ": expected " + kind.expected + ", got " + node.describe());
            return Optional.empty();
        }
        Matcher reference = WHOLE_REFERENCE.matcher(scalar.text().strip());
        if (!reference.matches()) {
            return literal(node, key, kind).map(Value::of);
        }
        String name = reference.group(1);
        if (!declared(name, node.position(), "'" + key + "'")) {
            return Optional.empty();
        }
        Parameter parameter = parameters.get(name);
        if (!kind.parameterTypes.contains(parameter.type())) {
            problem(
                    node.position(),
                    "parameter '" + name + "' is of type " + parameter.type().yamlName() + ", but " + key + " needs "
                            + kind.expected);
            return Optional.empty();
        }
        if (givenValues == null) {
            return Optional.of(new Value.Ref<>(name));
        }
        Object bound = typedValues.get(name);
        if (bound == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Value.of(kind.convert(bound)));
        } catch (IllegalArgumentException wrong) {
            problem(node.position(), key + " from parameter '" + name + "': " + wrong.getMessage());
            return Optional.empty();
        }
    }

    private <T> Optional<T> literal(YamlNode node, String key, FieldKind<T> kind) {
        if (!(node instanceof YamlNode.Scalar scalar)) {
            problem(node.position(), key + ": expected " + kind.expected + ", got " + node.describe());
            return Optional.empty();
        }
        try {
            return Optional.of(kind.parse(scalar));
        } catch (IllegalArgumentException wrong) {
            problem(node.position(), key + ": " + wrong.getMessage());
            return Optional.empty();
        }
    }

    private Optional<Boolean> bool(YamlNode node, String key) {
        if (node instanceof YamlNode.Scalar scalar
                && (scalar.text().equals("true") || scalar.text().equals("false"))) {
            return Optional.of(Boolean.valueOf(scalar.text()));
        }
        problem(node.position(), key + ": expected true or false, got " + node.describe());
        return Optional.empty();
    }

    private <E extends Enum<E>> Optional<E> choice(
            YamlNode node, String key, Class<E> type, Function<E, String> spelling) {
        Map<String, E> byName = new LinkedHashMap<>();
        for (E constant : type.getEnumConstants()) {
            byName.put(spelling.apply(constant), constant);
        }
        if (!(node instanceof YamlNode.Scalar scalar) || scalar.kind() == YamlNode.Scalar.Kind.NULL) {
            problem(
                    node.position(),
                    key + ": expected one of " + String.join(", ", byName.keySet()) + ", got " + node.describe());
            return Optional.empty();
        }
        E constant = byName.get(scalar.text());
        if (constant == null) {
            problem(
                    node.position(),
                    key + ": expected one of " + String.join(", ", byName.keySet()) + ", got '" + scalar.text() + "'"
                            + Suggestions.didYouMean(scalar.text(), byName.keySet()));
        }
        return Optional.ofNullable(constant);
    }

    private void checkKeys(YamlNode.Mapping map, String context, List<String> allowed) {
        for (YamlNode.Entry entry : map.entries()) {
            if (!allowed.contains(entry.key())) {
                unknownKey(entry, context, allowed);
            }
        }
    }

    private void unknownKey(YamlNode.Entry entry, String context, List<String> allowed) {
        if (entry.key().equals("<<")) {
            problem(entry.keyPosition(), "merge keys (<<) are not supported: write the fields out");
            return;
        }
        problem(
                entry.keyPosition(),
                "unknown key '" + entry.key() + "' in " + context + Suggestions.didYouMean(entry.key(), allowed));
    }

    private String lower(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }

    // ---- for the rules ----

    void problem(Position position, String message) {
        problems.add(new Problem(file, position, message));
    }

    StepSource source(Step step) {
        return stepSources.get(step);
    }

    Position classPosition() {
        return classPosition;
    }

    Position phasePosition() {
        return phasePosition;
    }

    Position stopCriteriaPosition() {
        return stopCriteriaPosition;
    }
}
