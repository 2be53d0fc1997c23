// The render stage's public surface: the Dockerfile (pure), the image's inputs and tag, and the project image build.
export { lockHash, renderDockerfile, templateValues, type RenderOptions } from './dockerfile.ts';
export { collectProjectFiles, contextFiles, imageInputs, imageTag, type ImageInput, type ProjectFile } from './context.ts';
export { buildProjectImage, planProjectImage, templateFileName, type ProjectImagePlan, type ProjectImageResult } from './image.ts';
