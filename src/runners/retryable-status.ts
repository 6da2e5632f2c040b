// Which HTTP answers are worth trying again: the server was busy or broken (408, 429, 5xx). Any
// other 4xx says the request itself is wrong (bad token, unknown project, unexpected inputs), and
// sending it again cannot help.
export const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;
