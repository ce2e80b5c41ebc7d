// Reading QR codes from the camera: the browser's BarcodeDetector where it exists (Android,
// macOS, ChromeOS), else the jsqr decoder, loaded only then (it is a separate chunk).

export type Reader = (video: HTMLVideoElement) => Promise<string | null>;

interface Detected {
  rawValue: string;
}
interface Detector {
  detect(source: CanvasImageSource): Promise<Detected[]>;
}
interface DetectorClass {
  new (options: { formats: string[] }): Detector;
  getSupportedFormats(): Promise<string[]>;
}

async function nativeReader(): Promise<Reader | null> {
  const Class = (window as unknown as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  if (!Class) return null;
  try {
    if (!(await Class.getSupportedFormats()).includes('qr_code')) return null;
    const detector = new Class({ formats: ['qr_code'] });
    return async (video) => (await detector.detect(video))[0]?.rawValue ?? null;
  } catch {
    return null;
  }
}

async function jsqrReader(): Promise<Reader> {
  const { default: jsQR } = await import('jsqr');
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  return async (video) => {
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!width || !height) return null;
    // Decoding a smaller frame is much faster and still reads a phone-screen QR code.
    const scale = Math.min(1, 640 / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    return jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
  };
}

export async function createReader(): Promise<Reader> {
  return (await nativeReader()) ?? jsqrReader();
}
