package answerloop.launcher;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.ClasspathPluginNode;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one Elasticsearch node in this JVM, listening on 127.0.0.1 only, until SIGTERM or SIGINT.
 *
 * System properties (scripts/elasticsearch sets them):
 *   launcher.port  HTTP port (9200)
 *   launcher.home  path.home; a config/ folder is created in it (./elasticsearch-home)
 *   launcher.data  path.data (launcher.home/data)
 *   launcher.logs  path.logs (launcher.home/logs)
 */
public final class LocalElasticsearch {
    private LocalElasticsearch() {}

    public static void main(String[] arguments) throws Exception {
        int port = Integer.getInteger("launcher.port", 9200);
        Path home = Path.of(System.getProperty("launcher.home", "elasticsearch-home")).toAbsolutePath();
        Path data = Path.of(System.getProperty("launcher.data", home.resolve("data").toString())).toAbsolutePath();
        Path logs = Path.of(System.getProperty("launcher.logs", home.resolve("logs").toString())).toAbsolutePath();
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(data);
        Files.createDirectories(logs);

        // Binds Elasticsearch's logging facade to log4j; without it node construction fails on a null provider.
        LogConfigurator.configureESLogging();

        Settings settings = Settings.builder()
            .put("node.name", "answerloop-local")
            .put("cluster.name", "answerloop-local")
            .put("path.home", home.toString())
            .put("path.data", data.toString())
            .put("path.logs", logs.toString())
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", port)
            // Node-to-node transport is unused on a single node: any free port avoids clashes between nodes.
            .put("transport.port", "0")
            // Development disks are often nearly full; the disk watermarks would then block writes.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();

        List<Class<? extends Plugin>> plugins = List.of(Netty4Plugin.class, LuceneAnalysisPlugin.class, RootInfoPlugin.class);
        Node node = new ClasspathPluginNode(new Environment(settings, home.resolve("config")), plugins);

        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("stopping");
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception exception) {
                exception.printStackTrace();
            }
            log("stopped");
            closed.countDown();
        }, "answerloop-launcher-shutdown"));

        try {
            node.start();
        } catch (Throwable failure) {
            // The node's own threads would keep the JVM alive after a failed start: exit so the script sees it.
            log("failed to start: " + failure);
            failure.printStackTrace();
            Runtime.getRuntime().halt(1);
        }
        log("started on http://127.0.0.1:" + port + " (pid " + ProcessHandle.current().pid() + ", data " + data + ")");
        closed.await();
    }

    private static void log(String message) {
        System.out.println("[answerloop-launcher] " + message);
    }
}
