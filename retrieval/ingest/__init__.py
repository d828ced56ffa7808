"""Documents in: format readers (formats/), the loader, chrome cleaning, chunking, and the index build."""
