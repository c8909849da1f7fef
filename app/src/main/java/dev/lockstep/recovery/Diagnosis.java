package dev.lockstep.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A failure with the options it leaves: what the screens show, the timeline's {@code failure} record and
 * {@code status --json}'s {@code failure} hold (docs/recovery.md, "The failure record").
 */
public record Diagnosis(Failure failure, List<Offer> offers) {

    public Diagnosis {
        offers = List.copyOf(offers);
    }

    public static Diagnosis of(Failure failure, Declared declared) {
        return new Diagnosis(failure, Offers.of(failure, declared));
    }

    public Optional<Offer> offer(Choice choice) {
        return offers.stream().filter(offer -> offer.choice() == choice).findFirst();
    }

    public List<Offer> available() {
        return offers.stream().filter(Offer::available).toList();
    }

    /** The record as documented: snake_case members in a fixed order, nothing left out. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("step", failure.stepId());
        body.put("kind", failure.stepKind());
        body.put("attempt", failure.attempt());
        body.put("class", failure.failureClass().id());
        body.put("sqlstate", failure.sqlState());
        body.put("message", failure.message());
        body.put("explanation", failure.explanation());
        body.put("applied", failure.applied().id());
        List<Map<String, Object>> facts = new ArrayList<>();
        for (Fact fact : failure.facts()) {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("name", fact.name());
            member.put("value", fact.value());
            facts.add(member);
        }
        body.put("facts", facts);
        List<Map<String, Object>> leftovers = new ArrayList<>();
        for (Leftover leftover : failure.leftovers()) {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("description", leftover.description());
            member.put("repair_sql", leftover.repairSql());
            leftovers.add(member);
        }
        body.put("leftovers", leftovers);
        List<Map<String, Object>> options = new ArrayList<>();
        for (Offer offer : offers) {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("option", offer.choice().id());
            member.put("available", offer.available());
            member.put("why", offer.why());
            member.put("effect", offer.effect());
            options.add(member);
        }
        body.put("options", options);
        return body;
    }

    /** The failure of a record written by {@link #body()} (the run row keeps one while it is undecided). */
    public static Failure failureOf(JsonNode body) {
        List<Fact> facts = new ArrayList<>();
        body.path("facts")
                .forEach(fact -> facts.add(
                        new Fact(fact.path("name").asText(), fact.path("value").asText())));
        List<Leftover> leftovers = new ArrayList<>();
        body.path("leftovers")
                .forEach(leftover -> leftovers.add(new Leftover(
                        leftover.path("description").asText(),
                        leftover.path("repair_sql").asText())));
        return new Failure(
                body.path("step").asText(),
                body.path("kind").asText(),
                body.path("attempt").asInt(),
                FailureClass.ofId(body.path("class").asText()),
                body.path("sqlstate").isNull() ? null : body.path("sqlstate").asText(null),
                body.path("message").asText(""),
                Applied.ofId(body.path("applied").asText("nothing")),
                facts,
                leftovers);
    }
}
