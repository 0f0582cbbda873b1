# One image for every postloan process: `python -m services.<name> api|worker`.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml constraints.txt README.md ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir -c constraints.txt .
RUN useradd --system --uid 10001 postloan
USER postloan
EXPOSE 8001 8002 8003 8004 8005 9001 9002 9003 9004 9005
CMD ["python", "-m", "services.monitoring", "api"]
