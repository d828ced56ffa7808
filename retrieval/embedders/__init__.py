"""Text -> unit vectors: the model on torch, ONNX (and its export) and OpenVINO, chosen by the encoder setting."""
