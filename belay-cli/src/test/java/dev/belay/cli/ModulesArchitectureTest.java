package dev.belay.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import dev.belay.door.fixture.AroundTheGuard;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules that span modules, checked where every module is on the classpath: each module's own architecture test
 * sees only itself, and a cycle or a door reaching around the guard can go through another module.
 */
class ModulesArchitectureTest {

    private static final Set<String> MODULES =
            Set.of("belay-core", "belay-runtimes", "belay-agent", "belay-server", "belay-cli");

    private static final ArchRule DOORS_THROUGH_THE_CATALOG = noClasses()
            .that()
            .resideInAnyPackage("dev.belay.door..", "dev.belay.chat..", "dev.belay.hub..", "dev.belay.fleet..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.belay.workspace..", "dev.belay.journal..", "dev.belay.runtime..", "dev.belay.fs..")
            .because("every door reaches files, the journal and processes through tool calls of the guarded catalog");

    /**
     * DESIGN.md's picture from left to right: doors, the guard, the engine, runtimes; the entry points wire them
     * together. The tool contract ({@code dev.belay.tool}), the agent protocol, the patch format
     * ({@code dev.belay.patch}, which the guard reads for the files a patch names) and Belay's own state files
     * ({@code dev.belay.state}) are shared by all and in no layer.
     */
    private static final ArchRule LAYERS = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("entry points")
            .definedBy("dev.belay.cli..", "dev.belay.agent..")
            .layer("doors")
            .definedBy("dev.belay.door..", "dev.belay.chat..", "dev.belay.hub..", "dev.belay.fleet..")
            .layer("guard")
            .definedBy("dev.belay.policy..")
            .layer("engine")
            .definedBy(
                    "dev.belay.engine..",
                    "dev.belay.tool.*..",
                    "dev.belay.action..",
                    "dev.belay.mount..",
                    "dev.belay.workspace..",
                    "dev.belay.journal..",
                    "dev.belay.fs..")
            .layer("runtimes")
            .definedBy("dev.belay.runtime..")
            .whereLayer("entry points")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("doors")
            .mayOnlyBeAccessedByLayers("entry points")
            .whereLayer("guard")
            .mayOnlyBeAccessedByLayers("entry points", "doors")
            .whereLayer("engine")
            .mayOnlyBeAccessedByLayers("entry points")
            .whereLayer("runtimes")
            .mayOnlyBeAccessedByLayers("entry points", "engine");

    /** A module's jar ({@code belay-core-0.1.0.jar}, {@code belay-agent.jar}) or its classes directory. */
    private static final Pattern OWNER =
            Pattern.compile("/(belay-[a-z]+)(?:-[\\w.]+(?:-SNAPSHOT)?)?(?:\\.jar|/target/classes)(?:[!/]|$)");

    private static JavaClasses belay;

    @BeforeAll
    static void importEveryModule() {
        belay = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ModulesArchitectureTest::inAModule)
                .importPackages("dev.belay");
        assertThat(belay.stream().map(ModulesArchitectureTest::module).distinct())
                .containsExactlyInAnyOrderElementsOf(MODULES);
    }

    @Test
    void packagesHaveNoCyclesAcrossModules() {
        slices().matching("dev.belay.(**)").should().beFreeOfCycles().check(belay);
    }

    @Test
    void everyPackageLivesInOneModule() {
        Map<String, Set<String>> modules = new TreeMap<>();
        belay.forEach(c -> modules.computeIfAbsent(c.getPackageName(), p -> new TreeSet<>())
                .add(module(c)));

        assertThat(modules).allSatisfy((pkg, in) -> assertThat(in).as(pkg).hasSize(1));
    }

    @Test
    void doorsReachTheWorkspaceOnlyThroughTheGuardedCatalog() {
        DOORS_THROUGH_THE_CATALOG.check(belay);
    }

    @Test
    void aDoorThatOpensTheWorkspaceItselfIsRefused() {
        JavaClasses door = new ClassFileImporter().importClasses(AroundTheGuard.class);

        assertThatThrownBy(() -> DOORS_THROUGH_THE_CATALOG.check(door))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("AroundTheGuard")
                .hasMessageContaining("dev.belay.workspace.Workspace");
        JavaClasses doorAndWorkspace =
                new ClassFileImporter().importPackages("dev.belay.door.fixture", "dev.belay.workspace");
        assertThatThrownBy(() -> LAYERS.check(doorAndWorkspace))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("AroundTheGuard");
    }

    @Test
    void theLayersOfTheDesignHold() {
        LAYERS.check(belay);
    }

    @Test
    void theArchitectureDocumentsPackageTableNamesEveryPackageInItsModule() throws IOException {
        Map<String, String> documented = new TreeMap<>();
        for (String row : Files.readAllLines(BelayProcess.repoRoot().resolve("docs/architecture.md"))) {
            String[] cells = row.split("\\|", -1);
            if (cells.length > 2 && cells[1].strip().startsWith("`dev.belay")) {
                Matcher names = Pattern.compile("`(dev\\.belay[\\w.]*)`").matcher(cells[1]);
                while (names.find()) {
                    documented.put(names.group(1), cells[2].strip());
                }
            }
        }
        Map<String, String> actual = new TreeMap<>();
        belay.forEach(c -> actual.put(c.getPackageName(), module(c)));

        assertThat(documented).as("docs/architecture.md's package table").isEqualTo(actual);
    }

    /** The modules' own classes; the test kit (a test-scope library of contract suites) is not shipped. */
    private static boolean inAModule(Location location) {
        return moduleOf(location.toString()).isPresent();
    }

    private static String module(JavaClass type) {
        String uri = type.getSource().orElseThrow().getUri().toString();
        return moduleOf(uri).orElseThrow(() -> new AssertionError("not in a module: " + uri));
    }

    /**
     * The module a class file comes from, named by its jar or by the directory above {@code target/classes}. Not by
     * any part of the path: the agent's jar brings the other modules' jars along from {@code belay-agent/target/lib}.
     */
    private static Optional<String> moduleOf(String location) {
        Matcher owner = OWNER.matcher(location);
        return owner.find() ? Optional.of(owner.group(1)).filter(MODULES::contains) : Optional.empty();
    }
}
