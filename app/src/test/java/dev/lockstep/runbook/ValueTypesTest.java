package dev.lockstep.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.runbook.internal.ParameterReferences;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValueTypesTest {

    @Test
    void durationsParseStrictlyAndRoundTrip() {
        assertThat(Durations.parse("200ms")).isEqualTo(Duration.ofMillis(200));
        assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("1h2m3s4ms")).isEqualTo(Duration.ofMillis(3_723_004));
        for (String text : List.of("0s", "200ms", "1m30s", "2h", "1h2m3s4ms")) {
            assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
        }
    }

    @Test
    void durationErrorsSayWhatWasExpected() {
        assertThatThrownBy(() -> Durations.parse("soon"))
                .hasMessage("expected a duration like 200ms, 3s, 1m30s or 2h, got 'soon'");
        assertThatThrownBy(() -> Durations.parse("30")).hasMessageEndingWith("(add a unit: 30s?)");
        assertThatThrownBy(() -> Durations.parse("1.5s")).hasMessageEndingWith("(no decimals: write 1500ms or 1m30s)");
        assertThatThrownBy(() -> Durations.parse("3 s")).hasMessageEndingWith("(no spaces)");
        assertThatThrownBy(() -> Durations.parse("2min")).hasMessageEndingWith("(units are h, m, s and ms)");
        assertThatThrownBy(() -> Durations.parse("30s1m")).hasMessageStartingWith("expected a duration");
        assertThatThrownBy(() -> Durations.parse("")).hasMessageStartingWith("expected a duration");
        assertThatThrownBy(() -> Durations.parse("99999999999h")).hasMessageContaining("too long");
    }

    @Test
    void byteSizesUsePostgresUnits() {
        assertThat(ByteSize.parse("512kB").bytes()).isEqualTo(512L * 1024);
        assertThat(ByteSize.parse("64MB").bytes()).isEqualTo(64L << 20);
        assertThat(ByteSize.parse("1GB").bytes()).isEqualTo(1L << 30);
        assertThat(ByteSize.parse("100B").bytes()).isEqualTo(100);
        assertThat(ByteSize.parse("1024MB").toString()).isEqualTo("1GB");
        assertThatThrownBy(() -> ByteSize.parse("64mb"))
                .hasMessageEndingWith("(units are B, kB, MB, GB, TB as in PostgreSQL)");
        assertThatThrownBy(() -> ByteSize.parse("64")).hasMessageEndingWith("(add a unit: 64B or 64MB?)");
        assertThatThrownBy(() -> ByteSize.parse("9999999999TB")).hasMessageContaining("too large");
    }

    @Test
    void expectationsCompareNumbersByValue() {
        Expectation range = new Expectation(List.of(
                new Expectation.Comparison(Expectation.Operator.AT_LEAST, Value.of(1L)),
                new Expectation.Comparison(Expectation.Operator.AT_MOST, Value.of(5.5))));

        assertThat(range.matches(new java.math.BigDecimal("5.5"))).isTrue();
        assertThat(range.matches(6)).isFalse();
        assertThat(range.matches(0L)).isFalse();
        assertThat(range.matches(null)).isFalse();
        assertThat(new Expectation(List.of(new Expectation.Comparison(Expectation.Operator.EQUALS, Value.of("NO"))))
                        .matches("NO"))
                .isTrue();
        assertThat(new Expectation(List.of(new Expectation.Comparison(Expectation.Operator.EQUALS, Value.of(true))))
                        .matches(false))
                .isFalse();
    }

    @Test
    void parameterReferencesAreFoundInsideSqlStringsToo() {
        assertThat(ParameterReferences.names("x > ${a} and y = '${b}'")).containsExactly("a", "b");
    }
}
