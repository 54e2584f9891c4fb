"""matcher's REST API (FastAPI): thin routes over the engine's services, schemas of their own, Chinese errors."""
