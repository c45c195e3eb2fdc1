export { createOpenAiChatModel, type OpenAiChatModelOptions } from './chat-model.ts';
export { createOpenAiEmbedder, type OpenAiEmbedderOptions } from './embedder.ts';
export { createOpenAiFineTuner, type OpenAiFineTunerOptions } from './fine-tuner.ts';
