package org.elasticsearch.plugins;

import org.elasticsearch.Version;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.jdk.ModuleQualifiedExportsService;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A PluginsService that instantiates plugin classes found on the application classpath instead of scanning
 * modules/ and plugins/ folders, which a node assembled from Maven artifacts does not have.
 *
 * It sits in org.elasticsearch.plugins because LoadedPlugin, loadPlugin and loadExtensions are package-private.
 * It needs the Elasticsearch jars on the classpath (the unnamed module), not on the module path.
 */
public class ClasspathPluginsService extends PluginsService {
    private final List<LoadedPlugin> loadedPlugins;

    public ClasspathPluginsService(Settings settings, Path configPath, Collection<Class<? extends Plugin>> pluginClasses) {
        // No modules or plugins directory: nothing is loaded from the filesystem.
        super(settings, configPath, null, null);
        List<LoadedPlugin> plugins = new ArrayList<>();
        for (Class<? extends Plugin> pluginClass : pluginClasses) {
            Plugin instance = loadPlugin(pluginClass, settings, configPath);
            plugins.add(new LoadedPlugin(describe(pluginClass), instance, pluginClass.getClassLoader(), ModuleLayer.boot()));
        }
        loadExtensions(plugins);
        this.loadedPlugins = List.copyOf(plugins);
    }

    private static PluginDescriptor describe(Class<? extends Plugin> pluginClass) {
        String version = Version.CURRENT.toString();
        return new PluginDescriptor(
            pluginClass.getSimpleName(),
            "loaded from the classpath",
            version,
            version,
            "17",
            pluginClass.getName(),
            null,
            List.of(),
            false,
            false,
            false,
            false
        );
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        return loadedPlugins;
    }

    @Override
    protected void addServerExportsService(Map<String, List<ModuleQualifiedExportsService>> qualifiedExports) {
        // The server runs in the unnamed module here, so there are no qualified exports to wire.
    }
}
