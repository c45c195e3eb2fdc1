package answerloop.launcher;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.AnalyzerScope;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenizer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.indices.analysis.PreBuiltCacheFactory.CachingStrategy;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A stand-in for the parts of Elasticsearch's analysis-common module that answerloop and its users need: that module
 * is not published on Maven Central for 8.x, but Lucene's analysis jar (a dependency of the server) holds the code.
 * Names and parameters follow Elasticsearch's, for a subset:
 *   analyzer    english (stopwords, stem_exclusion)
 *   filters     stemmer (language), porter_stem, kstem, snowball (language), asciifolding (preserve_original)
 *   tokenizers  whitespace, keyword, letter
 */
public class LuceneAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return Map.of("english", (indexSettings, environment, name, settings) -> {
            CharArraySet stopWords = Analysis.parseStopWords(environment, settings, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET);
            CharArraySet stemExclusion = Analysis.parseStemExclusion(settings, CharArraySet.EMPTY_SET);
            return analyzer(name, new EnglishAnalyzer(stopWords, stemExclusion));
        });
    }

    /** Lets mappings name `english` directly, without declaring it in the index settings. */
    @Override
    public List<PreBuiltAnalyzerProviderFactory> getPreBuiltAnalyzerProviderFactories() {
        return List.of(new PreBuiltAnalyzerProviderFactory("english", CachingStrategy.LUCENE, EnglishAnalyzer::new));
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "stemmer", (indexSettings, environment, name, settings) ->
                filter(name, stemmer(settings.get("language", settings.get("name", "english")))),
            "porter_stem", (indexSettings, environment, name, settings) -> filter(name, PorterStemFilter::new),
            "kstem", (indexSettings, environment, name, settings) -> filter(name, KStemFilter::new),
            "snowball", (indexSettings, environment, name, settings) ->
                filter(name, snowball(settings.get("language", "English"))),
            "asciifolding", (indexSettings, environment, name, settings) -> {
                boolean preserveOriginal = settings.getAsBoolean("preserve_original", false);
                return filter(name, stream -> new ASCIIFoldingFilter(stream, preserveOriginal));
            }
        );
    }

    @Override
    public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
        return List.of(
            PreConfiguredTokenFilter.singleton("porter_stem", false, PorterStemFilter::new),
            PreConfiguredTokenFilter.singleton("kstem", false, KStemFilter::new),
            PreConfiguredTokenFilter.singleton("snowball", false, stream -> new SnowballFilter(stream, "English")),
            PreConfiguredTokenFilter.singleton("asciifolding", true, ASCIIFoldingFilter::new)
        );
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of(
            "whitespace", (indexSettings, environment, name, settings) -> TokenizerFactory.newFactory(name, WhitespaceTokenizer::new),
            "keyword", (indexSettings, environment, name, settings) -> TokenizerFactory.newFactory(name, KeywordTokenizer::new),
            "letter", (indexSettings, environment, name, settings) -> TokenizerFactory.newFactory(name, LetterTokenizer::new)
        );
    }

    @Override
    public List<PreConfiguredTokenizer> getPreConfiguredTokenizers() {
        return List.of(
            PreConfiguredTokenizer.singleton("whitespace", WhitespaceTokenizer::new),
            PreConfiguredTokenizer.singleton("keyword", KeywordTokenizer::new),
            PreConfiguredTokenizer.singleton("letter", LetterTokenizer::new)
        );
    }

    /** Elasticsearch's English stemmer names map onto Lucene filters; other languages use Snowball's stemmer. */
    static Function<TokenStream, TokenStream> stemmer(String language) {
        return switch (language.toLowerCase(Locale.ROOT)) {
            case "english", "porter" -> PorterStemFilter::new;
            case "light_english", "kstem" -> KStemFilter::new;
            case "minimal_english" -> EnglishMinimalStemFilter::new;
            case "possessive_english" -> EnglishPossessiveFilter::new;
            case "porter2" -> snowball("English");
            default -> snowball(language);
        };
    }

    /** Fails when the index is created, not when the first document arrives, for an unknown language. */
    static Function<TokenStream, TokenStream> snowball(String language) {
        String stemmerName = Character.toUpperCase(language.charAt(0)) + language.substring(1).toLowerCase(Locale.ROOT);
        try {
            Class.forName("org.tartarus.snowball.ext." + stemmerName + "Stemmer");
        } catch (ClassNotFoundException missing) {
            throw new IllegalArgumentException("stemmer language [" + language + "] is not available on this node");
        }
        return stream -> new SnowballFilter(stream, stemmerName);
    }

    private static TokenFilterFactory filter(String name, Function<TokenStream, TokenStream> create) {
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream tokenStream) {
                return create.apply(tokenStream);
            }
        };
    }

    private static <T extends Analyzer> AnalyzerProvider<T> analyzer(String name, T analyzer) {
        return new AnalyzerProvider<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public AnalyzerScope scope() {
                return AnalyzerScope.INDEX;
            }

            @Override
            public T get() {
                return analyzer;
            }
        };
    }
}
