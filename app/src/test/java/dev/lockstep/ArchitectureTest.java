package dev.lockstep;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

/**
 * The dependency direction the README's layout describes, checked on the compiled classes: {@code cli → tui → engine → {criteria, recovery, probe, timeline} → {runbook, pg}}, the
 * sandbox only for the command line, and {@code dev.lockstep} itself (exit codes, the root exception, crash
 * points) under everything. A layer may use any layer below it, never one above or beside it.
 */
class ArchitectureTest {

    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.lockstep");

    @Test
    void dependenciesPointDownTheLayers() {
        ArchRule layers = layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("cli")
                .definedBy("dev.lockstep.cli..")
                .layer("tui")
                .definedBy("dev.lockstep.tui..")
                .layer("engine")
                .definedBy("dev.lockstep.engine..")
                .layer("criteria")
                .definedBy("dev.lockstep.criteria..")
                .layer("recovery")
                .definedBy("dev.lockstep.recovery..")
                .layer("probe")
                .definedBy("dev.lockstep.probe..")
                .layer("timeline")
                .definedBy("dev.lockstep.timeline..")
                .layer("runbook")
                .definedBy("dev.lockstep.runbook..")
                .layer("pg")
                .definedBy("dev.lockstep.pg..")
                .layer("sandbox")
                .definedBy("dev.lockstep.sandbox..")
                .layer("base")
                .definedBy("dev.lockstep")
                .whereLayer("cli")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("tui")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("engine")
                .mayOnlyBeAccessedByLayers("cli", "tui")
                .whereLayer("criteria")
                .mayOnlyBeAccessedByLayers("cli", "tui", "engine")
                .whereLayer("recovery")
                .mayOnlyBeAccessedByLayers("cli", "tui", "engine")
                .whereLayer("probe")
                .mayOnlyBeAccessedByLayers("cli", "tui", "engine")
                .whereLayer("timeline")
                .mayOnlyBeAccessedByLayers("cli", "tui", "engine")
                .whereLayer("runbook")
                .mayOnlyBeAccessedByLayers("cli", "tui", "engine", "criteria", "recovery", "probe", "timeline")
                .whereLayer("pg")
                .mayOnlyBeAccessedByLayers(
                        "cli", "tui", "engine", "criteria", "recovery", "probe", "timeline", "runbook", "sandbox")
                .whereLayer("sandbox")
                .mayOnlyBeAccessedByLayers("cli");
        layers.check(PRODUCTION);
    }

    @Test
    void nothingBelowTheConsoleUsesATerminalOrCommandLineLibrary() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.lockstep.cli..", "dev.lockstep.tui..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("com.googlecode.lanterna..", "org.jline..", "picocli..")
                .because("docs/design.md: nothing below tui imports lanterna, jline or picocli")
                .check(PRODUCTION);
    }

    @Test
    void onlyTheCommandLineUsesPicocli() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.lockstep.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("picocli..")
                .check(PRODUCTION);
    }

    @Test
    void nothingBelowTheConsolePrints() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.lockstep.cli..", "dev.lockstep.tui..")
                .and()
                .doNotHaveFullyQualifiedName(CrashPoints.class.getName()) // a test-only trace, off by default
                .should()
                .accessField(System.class, "out")
                .orShould()
                .accessField(System.class, "err")
                .because("the engine returns results and emits events; the console and the command line print")
                .check(PRODUCTION);
    }

    @Test
    void anInternalPackageIsUsedOnlyByThePackageItBelongsTo() {
        classes()
                .that()
                .resideInAPackage("..internal..")
                .should(onlyBeAccessedFromTheirOwner())
                .check(PRODUCTION);
    }

    /** {@code a.b.internal.X} may be used from {@code a.b} and its subpackages only. */
    private static ArchCondition<JavaClass> onlyBeAccessedFromTheirOwner() {
        return new ArchCondition<>("be used only by the package the internal package belongs to") {
            @Override
            public void check(JavaClass internal, ConditionEvents events) {
                String name = internal.getPackageName();
                String owner = name.substring(0, name.indexOf(".internal"));
                internal.getDirectDependenciesToSelf().forEach(dependency -> {
                    String from = dependency.getOriginClass().getPackageName();
                    if (!from.equals(owner) && !from.startsWith(owner + ".")) {
                        events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
                    }
                });
            }
        };
    }
}
