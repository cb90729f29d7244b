package ocr

import "errors"

func newEngine(string) (engine, error) {
	return nil, errors.New("OCR needs Tesseract, which is not available on Windows yet")
}
