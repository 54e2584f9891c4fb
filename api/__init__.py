"""matcher's REST API (FastAPI): thin routes over the engine facade, schemas of their own, Chinese errors."""
