package dev.belay.tool.code;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.ConfigurationParams;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.ProgressParams;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.RegistrationParams;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.UnregistrationParams;
import org.eclipse.lsp4j.WorkDoneProgressBegin;
import org.eclipse.lsp4j.WorkDoneProgressCreateParams;
import org.eclipse.lsp4j.WorkDoneProgressEnd;
import org.eclipse.lsp4j.WorkDoneProgressNotification;
import org.eclipse.lsp4j.WorkDoneProgressReport;
import org.eclipse.lsp4j.services.LanguageClient;

/**
 * What a language server tells Belay on its own: diagnostics as it publishes them, and the progress of its work
 * ({@code $/progress}: indexing, analysis). Called on LSP4J's reader thread; read by the tools' threads.
 */
final class ServerEvents implements LanguageClient {

    /**
     * Diagnostics of one file as last published.
     *
     * @param version the document version they are for, when the server says
     * @param sequence the how-manyth publication of this server it was
     */
    record Published(List<Diagnostic> diagnostics, Integer version, long sequence) {}

    /** One piece of work the server reports: its title, latest message and percentage (-1 when it says none). */
    private record Work(String title, String message, int percentage) {}

    private final Language language;
    private final Map<String, Published> diagnostics = new LinkedHashMap<>();
    private final Map<String, Work> work = new LinkedHashMap<>();
    private long sequence;
    private long lastPublishedNanos = System.nanoTime();
    private boolean projectFound;

    ServerEvents(Language language) {
        this.language = language;
        this.projectFound = !language.announcesProject();
    }

    /**
     * Waits until the server has found the project's files ({@link Language#projectFound}), up to {@code millis}.
     *
     * @return whether it has
     */
    synchronized boolean awaitProject(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!projectFound) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    @Override
    public synchronized void publishDiagnostics(PublishDiagnosticsParams params) {
        sequence++;
        lastPublishedNanos = System.nanoTime();
        diagnostics.put(
                params.getUri(), new Published(List.copyOf(params.getDiagnostics()), params.getVersion(), sequence));
        notifyAll();
    }

    /** The diagnostics last published for a document. */
    synchronized Optional<Published> published(String uri) {
        return Optional.ofNullable(diagnostics.get(uri));
    }

    /** How many publications so far: a document changed now is fresh once a later one names it. */
    synchronized long sequence() {
        return sequence;
    }

    /** Nanoseconds since the server last published diagnostics. */
    synchronized long quietNanos() {
        return System.nanoTime() - lastPublishedNanos;
    }

    /** Waits up to {@code millis} for the next publication. */
    synchronized void awaitPublication(long millis) throws InterruptedException {
        if (millis > 0) {
            wait(millis);
        }
    }

    @Override
    public CompletableFuture<Void> createProgress(WorkDoneProgressCreateParams params) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized void notifyProgress(ProgressParams params) {
        if (params.getValue() == null || !params.getValue().isLeft()) {
            return;
        }
        String token = params.getToken().isLeft()
                ? params.getToken().getLeft()
                : String.valueOf(params.getToken().getRight());
        WorkDoneProgressNotification value = params.getValue().getLeft();
        switch (value) {
            case WorkDoneProgressBegin begin ->
                work.put(
                        token, new Work(begin.getTitle(), nonNull(begin.getMessage()), percent(begin.getPercentage())));
            case WorkDoneProgressReport report -> {
                Work was = work.getOrDefault(token, new Work("working", "", -1));
                work.put(
                        token,
                        new Work(
                                was.title(),
                                report.getMessage() == null ? was.message() : report.getMessage(),
                                report.getPercentage() == null ? was.percentage() : report.getPercentage()));
            }
            case WorkDoneProgressEnd end -> work.remove(token);
            default -> {
                // a kind of progress a later LSP version adds: nothing to show for it
            }
        }
    }

    /** What the server is still working on, e.g. "indexing: 120/400 files, 30% done"; empty when idle. */
    synchronized Optional<String> busy() {
        if (work.isEmpty()) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        for (Work w : work.values()) {
            parts.add(w.title()
                    + (w.message().isEmpty() ? "" : ": " + w.message())
                    + (w.percentage() >= 0 ? ", " + w.percentage() + "% done" : ""));
        }
        return Optional.of(String.join("; ", parts));
    }

    private static String nonNull(String text) {
        return text == null ? "" : text;
    }

    private static int percent(Integer percentage) {
        return percentage == null ? -1 : percentage;
    }

    @Override
    public CompletableFuture<List<Object>> configuration(ConfigurationParams params) {
        // no settings of Belay's: each server keeps its defaults and the project's own config files
        return CompletableFuture.completedFuture(
                new ArrayList<>(Collections.nCopies(params.getItems().size(), null)));
    }

    @Override
    public CompletableFuture<Void> registerCapability(RegistrationParams params) {
        // file watchers the server asks for: Belay tells every change it knows of anyway (ServerSession.sync)
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> unregisterCapability(UnregistrationParams params) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void telemetryEvent(Object object) {}

    @Override
    public void showMessage(MessageParams params) {}

    @Override
    public CompletableFuture<MessageActionItem> showMessageRequest(ShowMessageRequestParams params) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized void logMessage(MessageParams params) {
        if (!projectFound
                && params.getMessage() != null
                && language.projectFound(params.getMessage().strip())) {
            projectFound = true;
            notifyAll();
        }
    }
}
